package io.beamml.transforms.parse;

import static io.beamml.transforms.deadletter.Reasons.MALFORMED_JSON;
import static io.beamml.transforms.deadletter.Reasons.MISSING_REQUIRED_FIELD;
import static io.beamml.transforms.deadletter.Reasons.UNPARSEABLE_TIMESTAMP;
import static io.beamml.transforms.deadletter.Reasons.WRONG_TYPE;
import static io.beamml.transforms.parse.ParseFailures.assertFails;
import static org.junit.Assert.assertEquals;

import java.time.Instant;
import org.junit.Test;

public class PromoResponseJsonParserTest {

  private static final long SENT = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();
  static final String GOOD =
      "{\"promo_id\":\"pr1\",\"customer_id\":\"c1\",\"sent_time\":\"2026-01-05T10:00:00+02:00\",\"responded\":1}";

  private final PromoResponseJsonParser parser = new PromoResponseJsonParser();

  @Test
  public void parsesTheSameResponseAsTheCsv() throws ParseFailure {
    assertEquals(
        new PromoResponseCsvParser().parse("pr1,c1,2026-01-05T10:00:00+02:00,1"),
        parser.parse(GOOD));
    assertEquals(SENT, parser.parse(GOOD).getSentTime());
    assertEquals(
        1, parser.parse(GOOD.replace("{", "{\"channel\":{\"kind\":\"email\"},")).getResponded());
  }

  @Test
  public void badMessages() {
    assertFails(parser, "{\"promo_id\":\"pr1\"", MALFORMED_JSON, null);
    assertFails(parser, GOOD.replace("}", ",\"promo_id\":\"pr2\"}"), MALFORMED_JSON, null);
    assertFails(parser, GOOD.replace("\"responded\":1", "\"responded\":\"1\""), WRONG_TYPE, SENT);
    assertFails(parser, GOOD.replace("\"responded\":1", "\"responded\":true"), WRONG_TYPE, SENT);
    assertFails(parser, GOOD.replace(",\"responded\":1", ""), MISSING_REQUIRED_FIELD, SENT);
    assertFails(
        parser,
        GOOD.replace("\"customer_id\":\"c1\"", "\"customer_id\":null"),
        MISSING_REQUIRED_FIELD,
        SENT);
    assertFails(parser, GOOD.replace("10:00:00+02:00", "10:00"), UNPARSEABLE_TIMESTAMP, null);
  }
}
