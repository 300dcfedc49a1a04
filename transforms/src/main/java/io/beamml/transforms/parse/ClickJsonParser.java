package io.beamml.transforms.parse;

import io.beamml.schemas.ClickEvent;
import java.util.List;

/**
 * The click stream: one JSON object per line (or Kafka message). {@code price} is an optional JSON
 * number, {@code event_time} an ISO-8601 string with offset, the rest JSON strings; unknown fields
 * are ignored. Any failure after {@code event_time} was read carries it as the event time.
 */
public final class ClickJsonParser implements LineParser<ClickEvent> {

  private static final long serialVersionUID = 1L;

  static final List<String> NAMES =
      List.of(
          "event_id",
          "customer_id",
          "event_type",
          "product_id",
          "price",
          "event_time",
          "session_id",
          "channel");

  @Override
  public ClickEvent parse(String line) throws ParseFailure {
    RecordFields fields = JsonFields.read(Lines.normaliseNonBlank(line), NAMES);
    long eventTime = FieldValues.instantMillis("event_time", fields.string("event_time"));
    try {
      return ClickEvent.newBuilder()
          .setEventId(FieldValues.required("event_id", fields.string("event_id")))
          .setCustomerId(FieldValues.required("customer_id", fields.string("customer_id")))
          .setEventType(FieldValues.clickType("event_type", fields.string("event_type")))
          .setProductId(FieldValues.required("product_id", fields.string("product_id")))
          .setPrice(FieldValues.optionalDecimal("price", fields.number("price")))
          .setEventTime(eventTime)
          .setSessionId(FieldValues.required("session_id", fields.string("session_id")))
          .setChannel(FieldValues.channel("channel", fields.string("channel")))
          .build();
    } catch (ParseFailure e) {
      throw e.withEventTime(eventTime);
    }
  }
}
