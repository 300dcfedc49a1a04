package io.beamml.transforms.parse;

import static io.beamml.transforms.deadletter.Reasons.MALFORMED_CSV;
import static io.beamml.transforms.deadletter.Reasons.MISSING_REQUIRED_FIELD;
import static io.beamml.transforms.deadletter.Reasons.UNKNOWN_ENUM_VALUE;
import static io.beamml.transforms.deadletter.Reasons.UNPARSEABLE_TIMESTAMP;
import static io.beamml.transforms.deadletter.Reasons.WRONG_FIELD_COUNT;
import static io.beamml.transforms.deadletter.Reasons.WRONG_TYPE;
import static io.beamml.transforms.parse.ParseFailures.assertFails;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.Profile;
import java.time.LocalDate;
import org.junit.Test;

public class ProfileCsvParserTest {

  private final ProfileCsvParser parser = new ProfileCsvParser();

  @Test
  public void parsesSignupDateToEpochDays() throws ParseFailure {
    Profile expected =
        Profile.newBuilder()
            .setCustomerId("c1")
            .setAge(34)
            .setGender("F")
            .setCountry("CI")
            .setSignupDate((int) LocalDate.of(2024, 3, 1).toEpochDay())
            .build();
    assertEquals(expected, parser.parse("c1,34,F,\"CI\",2024-03-01\r"));
    assertEquals(0, parser.parse("c1,34,F,DE,1970-01-01").getSignupDate());
  }

  @Test
  public void recognisesHeader() {
    assertTrue(parser.isHeader("customer_id,age,gender,country,signup_date"));
    assertFalse(parser.isHeader("c1,34,F,DE,2024-03-01"));
  }

  @Test
  public void badLines() {
    assertFails(parser, "c1,34,F,DE", WRONG_FIELD_COUNT, null);
    assertFails(parser, "c1,34,F,\"DE,2024-03-01", MALFORMED_CSV, null);
    assertFails(parser, "c1,thirty,F,DE,2024-03-01", WRONG_TYPE, null);
    assertFails(parser, "c1,34,F,DE,01/03/2024", UNPARSEABLE_TIMESTAMP, null);
    assertFails(parser, "c1,34,F,DE,2024-02-30", UNPARSEABLE_TIMESTAMP, null);
    assertFails(parser, "c1,34,F,DE,2024-03-01T00:00:00Z", UNPARSEABLE_TIMESTAMP, null);
    assertFails(parser, "c1,34,,DE,2024-03-01", MISSING_REQUIRED_FIELD, null);
    assertFails(parser, "c1,,F,DE,2024-03-01", MISSING_REQUIRED_FIELD, null);
    assertFails(parser, "c1,34,Q,DE,2024-03-01", UNKNOWN_ENUM_VALUE, null);
    assertFails(parser, "c1,34,f,DE,2024-03-01", UNKNOWN_ENUM_VALUE, null);
    assertFails(parser, "c1,34,F,ZZ,2024-03-01", UNKNOWN_ENUM_VALUE, null);
    assertFails(parser, "c1,34,F,Germany,2024-03-01", UNKNOWN_ENUM_VALUE, null);
  }

  @Test
  public void outOfRangeAgeParsesForValidateToJudge() throws ParseFailure {
    assertEquals(150, parser.parse("c1,150,F,DE,2024-03-01").getAge());
  }
}
