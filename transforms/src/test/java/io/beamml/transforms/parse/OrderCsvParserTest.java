package io.beamml.transforms.parse;

import static io.beamml.transforms.deadletter.Reasons.BLANK_LINE;
import static io.beamml.transforms.deadletter.Reasons.MALFORMED_CSV;
import static io.beamml.transforms.deadletter.Reasons.MISSING_REQUIRED_FIELD;
import static io.beamml.transforms.deadletter.Reasons.UNPARSEABLE_TIMESTAMP;
import static io.beamml.transforms.deadletter.Reasons.WRONG_FIELD_COUNT;
import static io.beamml.transforms.deadletter.Reasons.WRONG_TYPE;
import static io.beamml.transforms.parse.ParseFailures.assertFails;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.Order;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.Test;

public class OrderCsvParserTest {

  static final String HEADER =
      "order_id,customer_id,product_id,quantity,amount,currency,order_time";
  static final String GOOD = "o1,c1,p1,2,25.5,EUR,2026-01-05T10:00:00+02:00";
  static final long EIGHT_UTC = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();

  private final OrderCsvParser parser = new OrderCsvParser();

  static Order order(String orderId, int quantity, double amount) {
    return Order.newBuilder()
        .setOrderId(orderId)
        .setCustomerId("c1")
        .setProductId("p1")
        .setQuantity(quantity)
        .setAmount(amount)
        .setCurrency("EUR")
        .setOrderTime(EIGHT_UTC)
        .build();
  }

  @Test
  public void parsesAndHonoursTheOffset() throws ParseFailure {
    assertEquals(order("o1", 2, 25.5), parser.parse(GOOD));
    assertEquals(order("o1", 2, 25.5), parser.parse(GOOD + "\r"));
    assertEquals(order("o1", 2, 25.5), parser.parse("\uFEFF" + GOOD));
  }

  @Test
  public void parsesQuotedFields() throws ParseFailure {
    assertEquals(
        order("o-1, \"special\"", 2, 25.5),
        parser.parse(
            "\"o-1, \"\"special\"\"\",c1,\"p1\",2,25.5,EUR,\"2026-01-05T10:00:00+02:00\""));
  }

  @Test
  public void recognisesHeaders() {
    assertTrue(parser.isHeader(HEADER));
    assertTrue(parser.isHeader("\uFEFF" + HEADER + "\r"));
    assertTrue(parser.isHeader("  " + HEADER + " "));
    assertTrue(parser.isHeader(HEADER.toUpperCase()));
    assertTrue(
        parser.isHeader(
            "\"order_id\", customer_id ,product_id,quantity,amount,currency,order_time"));
    assertFalse(parser.isHeader(GOOD));
    assertFalse(parser.isHeader("order_id,customer_id"));
    assertFalse(parser.isHeader("order_id_7,c1,p1,2,25.5,EUR,2026-01-05T10:00:00Z"));
    assertEquals(HEADER, String.join(",", parser.columns()));
  }

  @Test
  public void headerBytesAreJudgedLikeTheirText() {
    for (String line :
        List.of(
            HEADER,
            "\uFEFF" + HEADER + "\r",
            "  " + HEADER + " ",
            HEADER.toUpperCase(),
            "\"order_id\", customer_id ,product_id,quantity,amount,currency,order_time",
            HEADER.replace("order_id", "ORDER_\u0130D"),
            "\u00F6rder_id,customer_id,product_id,quantity,amount,currency,order_time",
            GOOD,
            "order_id,customer_id",
            "",
            "ord")) {
      assertEquals(
          line, parser.isHeader(line), parser.isHeader(line.getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  public void badLines() {
    assertFails(parser, "", BLANK_LINE, null);
    assertFails(parser, "o1,c1,p1,2,25.5,EUR", WRONG_FIELD_COUNT, null);
    assertFails(parser, GOOD + ",extra", WRONG_FIELD_COUNT, null);
    assertFails(parser, "\"o1,c1,p1,2,25.5,EUR,2026-01-05T10:00:00Z", MALFORMED_CSV, null);
    assertFails(parser, "o1,c1,p1,2,25.5,EUR,2026-01-05T10:00:00", UNPARSEABLE_TIMESTAMP, null);
    assertFails(parser, "o1,c1,p1,2,25.5,EUR,", MISSING_REQUIRED_FIELD, null);
    assertFails(parser, "o1,c1,p1,two,25.5,EUR,2026-01-05T10:00:00+02:00", WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, "o1,c1,p1,2.0,25.5,EUR,2026-01-05T10:00:00+02:00", WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, "o1,c1,p1, 2,25.5,EUR,2026-01-05T10:00:00+02:00", WRONG_TYPE, EIGHT_UTC);
    assertFails(
        parser, "o1,c1,p1,99999999999,25.5,EUR,2026-01-05T10:00:00+02:00", WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, "o1,c1,p1,2,NaN,EUR,2026-01-05T10:00:00+02:00", WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, "o1,c1,p1,2,12.5f,EUR,2026-01-05T10:00:00+02:00", WRONG_TYPE, EIGHT_UTC);
    assertFails(parser, "o1,c1,p1,2,1e999,EUR,2026-01-05T10:00:00+02:00", WRONG_TYPE, EIGHT_UTC);
    assertFails(
        parser, "o1,c1,p1,2,,EUR,2026-01-05T10:00:00+02:00", MISSING_REQUIRED_FIELD, EIGHT_UTC);
    assertFails(
        parser, "o1,,p1,2,25.5,EUR,2026-01-05T10:00:00+02:00", MISSING_REQUIRED_FIELD, EIGHT_UTC);
    assertFails(
        parser,
        "o1,c1,p1,2,25.5,\"\",2026-01-05T10:00:00+02:00",
        MISSING_REQUIRED_FIELD,
        EIGHT_UTC);
  }

  @Test
  public void negativeValuesParseForValidateToJudge() throws ParseFailure {
    assertEquals(
        order("o1", -1, -2.5e1), parser.parse("o1,c1,p1,-1,-2.5e1,EUR,2026-01-05T08:00:00Z"));
  }
}
