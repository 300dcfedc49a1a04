package io.beamml.transforms.features;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureValue;
import org.apache.avro.Schema;
import org.junit.Test;

public class ProfileFieldTest {

  private static final long DAY = 86_400_000L;
  private static final CustomerProfile PROFILE = new CustomerProfile("k", 41, "f", "DE", 100);

  @Test
  public void everyStoredFieldIsInTheProfileSchemaWithTheTypeItsKindNeeds() {
    for (ProfileField f : ProfileField.values()) {
      if (f == ProfileField.TENURE_DAYS) {
        continue; // derived from signup_date
      }
      Schema.Field field = CustomerProfile.getClassSchema().getField(f.fieldName());
      Schema.Type type = field.schema().getType();
      assertEquals(f.fieldName(), f.isCategorical(), type == Schema.Type.STRING);
    }
    assertTrue(ProfileField.named("country").orElseThrow().isCategorical());
    assertFalse(ProfileField.named("tenure_days").orElseThrow().isCategorical());
    assertTrue(ProfileField.named("income").isEmpty());
    assertTrue(ProfileField.named(null).isEmpty());
  }

  @Test
  public void valuesAreReadAsOfATime() {
    FeatureValue tenure = ProfileField.TENURE_DAYS.value(PROFILE, "tenure", 130 * DAY + 5);
    assertEquals(30.0, tenure.getNumber(), 0);
    assertNull(
        "signup after the as-of time: missing, not negative",
        ProfileField.TENURE_DAYS.value(PROFILE, "tenure", 99 * DAY).getNumber());
    assertEquals("DE", ProfileField.COUNTRY.value(PROFILE, "c", 0).getText());
    assertEquals(41.0, ProfileField.AGE.value(PROFILE, "age", 0).getNumber(), 0);
    FeatureValue none = ProfileField.GENDER.value(null, "g", 0);
    assertNull(none.getText());
    assertNull(none.getNumber());
    assertEquals("g", none.getName());
  }
}
