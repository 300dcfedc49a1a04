package io.beamml.transforms.parse;

import io.beamml.schemas.Profile;
import java.util.List;

/**
 * The profiles CSV: {@code customer_id,age,gender,country,signup_date}, the date in ISO-8601
 * ({@code 2024-03-01}) becoming days since 1970-01-01; gender is F, M or X and country an ISO
 * 3166-1 alpha-2 code. A profile has no event time, so its failures carry none.
 */
public final class ProfileCsvParser extends CsvRecordParser<Profile> {

  private static final long serialVersionUID = 1L;

  public ProfileCsvParser() {
    super(List.of("customer_id", "age", "gender", "country", "signup_date"));
  }

  @Override
  Profile read(RecordFields fields) throws ParseFailure {
    return Profile.newBuilder()
        .setCustomerId(FieldValues.required("customer_id", fields.string("customer_id")))
        .setAge(FieldValues.integer("age", fields.integer("age")))
        .setGender(FieldValues.gender("gender", fields.string("gender")))
        .setCountry(FieldValues.country("country", fields.string("country")))
        .setSignupDate(FieldValues.epochDay("signup_date", fields.string("signup_date")))
        .build();
  }
}
