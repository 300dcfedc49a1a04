package io.beamml.pipelines.trainingset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.TrainingExample;
import io.beamml.transforms.features.FeatureSpec;
import java.util.List;
import org.junit.Test;

public class ExampleCsvTest {

  private static final FeatureSpec SPEC =
      FeatureSpec.fromJson(
          "{\"name\": \"csv-test\", \"version\": 1, \"features\": ["
              + "{\"name\": \"clicks_7d\", \"kind\": \"event\", \"event_types\": [\"click\"], \"aggregation\": \"count\", \"window\": \"P7D\"},"
              + "{\"name\": \"spend_7d\", \"kind\": \"event\", \"event_types\": [\"order\"], \"aggregation\": \"mean\", \"field\": \"amount\", \"window\": \"P7D\"},"
              + "{\"name\": \"country\", \"kind\": \"profile\", \"field\": \"country\"}]}");

  private static TrainingExample example(FeatureValue... features) {
    return new TrainingExample(
        "P1", "k,ey", 1_767_225_600_123L, 1, "test", SPEC.fingerprint(), List.of(features));
  }

  @Test
  public void headerNamesTheKeyColumnsThenTheFeaturesInSpecOrder() {
    assertEquals(
        "promo_id,customer_key,sent_time,label,split,clicks_7d,spend_7d,country",
        ExampleCsv.of(SPEC).header());
  }

  @Test
  public void missingIsEmptyWholeNumbersHaveNoFractionAndTextIsQuotedWhenNeeded() {
    String line =
        ExampleCsv.of(SPEC)
            .line(
                example(
                    new FeatureValue("clicks_7d", 3.0, null),
                    new FeatureValue("spend_7d", null, null),
                    new FeatureValue("country", null, "D\"E")));
    assertEquals("P1,\"k,ey\",2026-01-01T00:00:00.123Z,1,test,3,,\"D\"\"E\"", line);
    assertEquals(
        "P1,\"k,ey\",2026-01-01T00:00:00.123Z,1,test,0.25,12.5,\"\"",
        ExampleCsv.of(SPEC)
            .line(
                example(
                    new FeatureValue("clicks_7d", 0.25, null),
                    new FeatureValue("spend_7d", 12.5, null),
                    new FeatureValue("country", null, ""))));
  }

  @Test
  public void refusesFeaturesOutOfSpecOrder() {
    ExampleCsv csv = ExampleCsv.of(SPEC);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            csv.line(
                example(
                    new FeatureValue("spend_7d", 1.0, null),
                    new FeatureValue("clicks_7d", 1.0, null),
                    new FeatureValue("country", null, "DE"))));
    assertThrows(
        IllegalArgumentException.class,
        () -> csv.line(example(new FeatureValue("clicks_7d", 1.0, null))));
  }
}
