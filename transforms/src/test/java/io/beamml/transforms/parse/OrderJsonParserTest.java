package io.beamml.transforms.parse;

import static io.beamml.transforms.deadletter.Reasons.MALFORMED_JSON;
import static io.beamml.transforms.deadletter.Reasons.MISSING_REQUIRED_FIELD;
import static io.beamml.transforms.deadletter.Reasons.UNPARSEABLE_TIMESTAMP;
import static io.beamml.transforms.deadletter.Reasons.WRONG_TYPE;
import static io.beamml.transforms.parse.OrderCsvParserTest.EIGHT_UTC;
import static io.beamml.transforms.parse.OrderCsvParserTest.order;
import static io.beamml.transforms.parse.ParseFailures.assertFails;
import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class OrderJsonParserTest {

  static final String GOOD =
      "{\"order_id\":\"o1\",\"customer_id\":\"c1\",\"product_id\":\"p1\",\"quantity\":2,"
          + "\"amount\":25.5,\"currency\":\"EUR\",\"order_time\":\"2026-01-05T10:00:00+02:00\"}";

  private final OrderJsonParser parser = new OrderJsonParser();

  @Test
  public void parsesTheSameOrderAsTheCsv() throws ParseFailure {
    assertEquals(order("o1", 2, 25.5), parser.parse(GOOD));
    assertEquals(order("o1", 2, 25.5), new OrderCsvParser().parse(OrderCsvParserTest.GOOD));
    assertEquals(order("o1", 2, 25.0), parser.parse(GOOD.replace("25.5", "25")));
    assertEquals(order("o1", 2, 25.5), parser.parse(GOOD.replace("{", "{\"note\":\"gift\",")));
  }

  @Test
  public void badMessages() {
    assertFails(parser, "{\"order_id\":\"o1\"", MALFORMED_JSON, null);
    assertFails(parser, "[" + GOOD + "]", MALFORMED_JSON, null);
    assertFails(
        parser, GOOD.replace("\"amount\":25.5", "\"amount\":\"25.5\""), WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, GOOD.replace("\"quantity\":2", "\"quantity\":2.5"), WRONG_TYPE, EIGHT_UTC);
    assertFails(
        parser, GOOD.replace("\"quantity\":2", "\"quantity\":\"2\""), WRONG_TYPE, EIGHT_UTC);
    assertFails(
        parser, GOOD.replace("\"quantity\":2", "\"quantity\":3000000000"), WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, GOOD.replace("\"amount\":25.5,", ""), MISSING_REQUIRED_FIELD, EIGHT_UTC);
    assertFails(
        parser,
        GOOD.replace("\"currency\":\"EUR\"", "\"currency\":null"),
        MISSING_REQUIRED_FIELD,
        EIGHT_UTC);
    assertFails(parser, GOOD.replace("10:00:00+02:00", "10:00:00+2"), UNPARSEABLE_TIMESTAMP, null);
  }
}
