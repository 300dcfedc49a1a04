package io.beamml.transforms.parse;

import static io.beamml.transforms.deadletter.Reasons.BLANK_LINE;
import static io.beamml.transforms.deadletter.Reasons.MALFORMED_JSON;
import static io.beamml.transforms.deadletter.Reasons.MISSING_REQUIRED_FIELD;
import static io.beamml.transforms.deadletter.Reasons.UNKNOWN_ENUM_VALUE;
import static io.beamml.transforms.deadletter.Reasons.UNPARSEABLE_TIMESTAMP;
import static io.beamml.transforms.deadletter.Reasons.WRONG_TYPE;
import static io.beamml.transforms.parse.ParseFailures.assertFails;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.Channel;
import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.ClickType;
import java.time.Instant;
import org.junit.Test;

public class ClickJsonParserTest {

  static final String GOOD =
      "{\"event_id\":\"e1\",\"customer_id\":\"c1\",\"event_type\":\"add_to_cart\","
          + "\"product_id\":\"p1\",\"price\":12.5,\"event_time\":\"2026-01-05T10:00:00+02:00\","
          + "\"session_id\":\"s1\",\"channel\":\"app\"}";

  static final long EIGHT_UTC = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();

  private final ClickJsonParser parser = new ClickJsonParser();

  static ClickEvent expected(Double price) {
    return ClickEvent.newBuilder()
        .setEventId("e1")
        .setCustomerId("c1")
        .setEventType(ClickType.add_to_cart)
        .setProductId("p1")
        .setPrice(price)
        .setEventTime(EIGHT_UTC)
        .setSessionId("s1")
        .setChannel(Channel.app)
        .build();
  }

  /** GOOD with one field's JSON value replaced (the value as JSON text, e.g. "\"x\"" or 3). */
  static String with(String field, String jsonValue) {
    String replaced =
        GOOD.replaceFirst(
            "\"" + field + "\":(\"[^\"]*\"|[^,}]*)", "\"" + field + "\":" + jsonValue);
    if (replaced.equals(GOOD) && !jsonValue.isEmpty()) {
      throw new IllegalArgumentException("no field " + field);
    }
    return replaced;
  }

  static String without(String field) {
    return GOOD.replaceFirst(",?\"" + field + "\":(\"[^\"]*\"|[^,}]*)", "").replace("{,", "{");
  }

  @Test
  public void parsesAndHonoursTheOffset() throws ParseFailure {
    assertEquals(expected(12.5), parser.parse(GOOD));
  }

  @Test
  public void acceptsZuluFractionsAndNegativeOffsets() throws ParseFailure {
    assertEquals(
        EIGHT_UTC + 123,
        parser.parse(with("event_time", "\"2026-01-05T08:00:00.123Z\"")).getEventTime());
    assertEquals(
        EIGHT_UTC,
        parser.parse(with("event_time", "\"2026-01-05T03:00:00-05:00\"")).getEventTime());
  }

  @Test
  public void priceIsOptional() throws ParseFailure {
    assertNull(parser.parse(with("price", "null")).getPrice());
    assertEquals(expected(null), parser.parse(without("price")));
    assertEquals(expected(3.0), parser.parse(with("price", "3")));
  }

  @Test
  public void ignoresUnknownFieldsCarriageReturnAndByteOrderMark() throws ParseFailure {
    String extra = GOOD.replace("{", "{\"extra\":{\"nested\":[1,2,{\"x\":null}]},\"n\":1,");
    assertEquals(expected(12.5), parser.parse(extra));
    assertEquals(expected(12.5), parser.parse("\uFEFF" + GOOD + "\r"));
    assertEquals(expected(12.5), parser.parse("  " + GOOD + "  "));
  }

  @Test
  public void malformedJson() {
    assertFails(parser, "{\"event_id\":", MALFORMED_JSON, null);
    assertFails(parser, "not json", MALFORMED_JSON, null);
    assertFails(parser, "[1,2]", MALFORMED_JSON, null);
    assertFails(parser, "\"a string\"", MALFORMED_JSON, null);
    assertFails(parser, "42", MALFORMED_JSON, null);
    assertFails(parser, "null", MALFORMED_JSON, null);
    assertFails(parser, GOOD + " {}", MALFORMED_JSON, null);
    assertFails(parser, GOOD.replace("}", ",\"event_id\":\"e2\"}"), MALFORMED_JSON, null);
  }

  @Test
  public void blankLine() {
    assertFails(parser, "", BLANK_LINE, null);
    assertFails(parser, " \t \r", BLANK_LINE, null);
  }

  @Test
  public void wrongTypes() {
    assertFails(parser, with("price", "\"12.5\""), WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, with("price", "true"), WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, with("customer_id", "17"), WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, with("session_id", "{\"id\":1}"), WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, with("product_id", "[\"p1\"]"), WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, with("event_time", "1767600000000"), WRONG_TYPE, null);
    ParseFailure failure = assertFails(parser, with("price", "\"12.5\""), WRONG_TYPE, EIGHT_UTC);
    assertTrue(failure.getMessage(), failure.getMessage().contains("price"));
  }

  @Test
  public void unknownEnumValues() {
    ParseFailure type =
        assertFails(parser, with("event_type", "\"purchase\""), UNKNOWN_ENUM_VALUE, EIGHT_UTC);
    assertTrue(type.getMessage(), type.getMessage().contains("event_type"));
    assertFails(parser, with("event_type", "\"VIEW\""), UNKNOWN_ENUM_VALUE, EIGHT_UTC);
    assertFails(parser, with("channel", "\"sms\""), UNKNOWN_ENUM_VALUE, EIGHT_UTC);
  }

  @Test
  public void unparseableTimestamps() {
    assertFails(parser, with("event_time", "\"2026-01-05 10:00:00\""), UNPARSEABLE_TIMESTAMP, null);
    assertFails(parser, with("event_time", "\"2026-01-05T10:00:00\""), UNPARSEABLE_TIMESTAMP, null);
    assertFails(
        parser, with("event_time", "\"2026-02-30T10:00:00Z\""), UNPARSEABLE_TIMESTAMP, null);
    assertFails(parser, with("event_time", "\"yesterday\""), UNPARSEABLE_TIMESTAMP, null);
    assertFails(
        parser, with("event_time", "\"+999999999-12-31T23:59:59Z\""), UNPARSEABLE_TIMESTAMP, null);
  }

  @Test
  public void missingRequiredFields() {
    ParseFailure absent =
        assertFails(parser, without("customer_id"), MISSING_REQUIRED_FIELD, EIGHT_UTC);
    assertTrue(absent.getMessage(), absent.getMessage().contains("customer_id"));
    assertFails(parser, with("customer_id", "null"), MISSING_REQUIRED_FIELD, EIGHT_UTC);
    assertFails(parser, with("customer_id", "\"\""), MISSING_REQUIRED_FIELD, EIGHT_UTC);
    assertFails(parser, with("customer_id", "\"  \""), MISSING_REQUIRED_FIELD, EIGHT_UTC);
    assertFails(parser, with("event_type", "\"\""), MISSING_REQUIRED_FIELD, EIGHT_UTC);
    assertFails(parser, without("event_time"), MISSING_REQUIRED_FIELD, null);
    assertFails(parser, "{}", MISSING_REQUIRED_FIELD, null);
  }
}
