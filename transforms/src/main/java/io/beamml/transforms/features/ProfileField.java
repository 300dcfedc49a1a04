package io.beamml.transforms.features;

import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The profile fields a profile feature may name, each knowing how to read its value as of a time
 * and whether it is categorical (text, one-hot or coded by the spec's categories) or numeric. A new
 * profile field is one constant here; the spec's validation, the calculator and the vectoriser
 * follow from it.
 */
public enum ProfileField {
  AGE("age", false) {
    @Override
    FeatureValue read(CustomerProfile profile, String column, long asOfMillis) {
      return new FeatureValue(column, (double) profile.getAge(), null);
    }
  },
  GENDER("gender", true) {
    @Override
    FeatureValue read(CustomerProfile profile, String column, long asOfMillis) {
      return new FeatureValue(column, null, profile.getGender());
    }
  },
  COUNTRY("country", true) {
    @Override
    FeatureValue read(CustomerProfile profile, String column, long asOfMillis) {
      return new FeatureValue(column, null, profile.getCountry());
    }
  },
  SIGNUP_DATE("signup_date", false) {
    @Override
    FeatureValue read(CustomerProfile profile, String column, long asOfMillis) {
      return new FeatureValue(column, (double) profile.getSignupDate(), null);
    }
  },
  /** Whole days from signup to the as-of time; missing (not negative) when signup is later. */
  TENURE_DAYS("tenure_days", false) {
    @Override
    FeatureValue read(CustomerProfile profile, String column, long asOfMillis) {
      long tenure = Math.floorDiv(asOfMillis, MILLIS_PER_DAY) - profile.getSignupDate();
      return new FeatureValue(column, tenure < 0 ? null : (double) tenure, null);
    }
  };

  private static final long MILLIS_PER_DAY = 86_400_000L;

  private final String fieldName;
  private final boolean categorical;

  ProfileField(String fieldName, boolean categorical) {
    this.fieldName = fieldName;
    this.categorical = categorical;
  }

  /** The name a feature spec uses ({@code "field": "tenure_days"}). */
  public String fieldName() {
    return fieldName;
  }

  public boolean isCategorical() {
    return categorical;
  }

  /** The field a spec names, if there is one by that name. */
  public static Optional<ProfileField> named(@Nullable String fieldName) {
    for (ProfileField f : values()) {
      if (f.fieldName.equals(fieldName)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** Every field's spec name, for error messages and documentation. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (ProfileField f : values()) {
      names.add(f.fieldName);
    }
    return names;
  }

  /** The value of column {@code column} as of a time; missing when there is no profile. */
  FeatureValue value(@Nullable CustomerProfile profile, String column, long asOfMillis) {
    return profile == null
        ? new FeatureValue(column, null, null)
        : read(profile, column, asOfMillis);
  }

  abstract FeatureValue read(CustomerProfile profile, String column, long asOfMillis);
}
