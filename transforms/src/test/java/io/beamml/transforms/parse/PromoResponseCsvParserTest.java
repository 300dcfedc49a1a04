package io.beamml.transforms.parse;

import static io.beamml.transforms.deadletter.Reasons.MISSING_REQUIRED_FIELD;
import static io.beamml.transforms.deadletter.Reasons.UNPARSEABLE_TIMESTAMP;
import static io.beamml.transforms.deadletter.Reasons.WRONG_FIELD_COUNT;
import static io.beamml.transforms.deadletter.Reasons.WRONG_TYPE;
import static io.beamml.transforms.parse.ParseFailures.assertFails;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.PromoResponse;
import java.time.Instant;
import org.junit.Test;

public class PromoResponseCsvParserTest {

  private static final long SENT = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();

  private final PromoResponseCsvParser parser = new PromoResponseCsvParser();

  @Test
  public void parses() throws ParseFailure {
    PromoResponse expected =
        PromoResponse.newBuilder()
            .setPromoId("pr1")
            .setCustomerId("c1")
            .setSentTime(SENT)
            .setResponded(1)
            .build();
    assertEquals(expected, parser.parse("pr1,c1,2026-01-05T10:00:00+02:00,1"));
  }

  @Test
  public void nonBinaryIntegerParsesForValidateToJudge() throws ParseFailure {
    assertEquals(2, parser.parse("pr1,c1,2026-01-05T08:00:00Z,2").getResponded());
  }

  @Test
  public void badLines() {
    assertTrue(parser.isHeader("promo_id,customer_id,sent_time,responded"));
    assertFails(parser, "pr1,c1,2026-01-05T08:00:00Z,yes", WRONG_TYPE, SENT);
    assertFails(parser, "pr1,c1,2026-01-05T08:00:00Z,0.5", WRONG_TYPE, SENT);
    assertFails(parser, "pr1,c1,2026-01-05T08:00:00Z,", MISSING_REQUIRED_FIELD, SENT);
    assertFails(parser, "pr1,c1,2026-01-05T08:00:00Z", WRONG_FIELD_COUNT, null);
    assertFails(parser, "pr1,c1,5 Jan 2026,1", UNPARSEABLE_TIMESTAMP, null);
  }
}
