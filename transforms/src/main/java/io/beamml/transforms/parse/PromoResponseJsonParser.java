package io.beamml.transforms.parse;

import io.beamml.schemas.PromoResponse;

/**
 * The responses topic: the responses CSV's fields as one JSON object per message. {@code responded}
 * must be a JSON integer, the rest JSON strings ({@code sent_time} ISO-8601 with offset); unknown
 * fields are ignored.
 */
public final class PromoResponseJsonParser implements LineParser<PromoResponse> {

  private static final long serialVersionUID = 1L;

  @Override
  public PromoResponse parse(String line) throws ParseFailure {
    return PromoResponseFields.read(
        JsonFields.read(Lines.normaliseNonBlank(line), PromoResponseFields.NAMES));
  }
}
