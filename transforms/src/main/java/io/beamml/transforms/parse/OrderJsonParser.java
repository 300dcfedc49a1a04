package io.beamml.transforms.parse;

import io.beamml.schemas.Order;

/**
 * The orders topic: the sales fields as one JSON object per message. {@code quantity} must be a
 * JSON integer, {@code amount} a JSON number, the rest JSON strings; unknown fields are ignored.
 */
public final class OrderJsonParser implements LineParser<Order> {

  private static final long serialVersionUID = 1L;

  @Override
  public Order parse(String line) throws ParseFailure {
    return OrderFields.read(JsonFields.read(Lines.normaliseNonBlank(line), OrderFields.NAMES));
  }
}
