package io.beamml.pipelines.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.Contribution;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.FileSchemas;
import io.beamml.schemas.Prediction;
import io.beamml.schemas.TrainingExample;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.Test;

/** The JSON of each record type follows its shipped schema: every field, named and typed by it. */
public class JsonRecordsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long T = 1_767_225_600_250L; // 2026-01-01T00:00:00.250Z
  private static final List<FeatureValue> FEATURES =
      List.of(
          new FeatureValue("clicks_7d", 3.0, null),
          new FeatureValue("country", null, "DE"),
          new FeatureValue("age", null, null));

  @Test
  public void everySchemaFieldAppearsUnderItsNameWithFeaturesSpread() throws Exception {
    List<SpecificRecord> records =
        List.of(
            new FeatureRow("e1", "k1", T, "click", "fp", FEATURES),
            new TrainingExample("p1", "k1", T, 1, "train", "fp", FEATURES),
            Prediction.newBuilder()
                .setEventId("e1")
                .setCustomerKey("k1")
                .setEventTime(T)
                .setScore(0.25)
                .setModelName("m")
                .setModelVersion("3")
                .setVariant("champion")
                .setSpecFingerprint("fp")
                .setContributions(List.of(new Contribution("clicks_7d", 0.5)))
                .build(),
            AuditRecord.newBuilder()
                .setEventId("e1")
                .setCustomerKey("k1")
                .setModelName("m")
                .setModelVersion("3")
                .setVariant("challenger")
                .setSpecFingerprint("fp")
                .setScore(0.5)
                .setEventTime(T)
                .setScoringTime(T + 1)
                .setRunId("r")
                .setContributions(null)
                .setPromoId("p1")
                .build(),
            DriftRecord.newBuilder()
                .setFeature("clicks_7d")
                .setStatistic("psi")
                .setValue(0.3)
                .setThreshold(0.2)
                .setPValue(null)
                .setWindowStart(T)
                .setWindowEnd(null)
                .setModelName("m")
                .setModelVersion("3")
                .setRows(10)
                .setDrifted(true)
                .build(),
            DeadLetter.newBuilder()
                .setSource("clicks")
                .setStep("parse")
                .setReason("invalid_json")
                .setMessage("x")
                .setEventTime(null)
                .setRaw("{")
                .setRawTruncated(false)
                .setRawBase64(null)
                .build());
    for (SpecificRecord record : records) {
      JsonNode json = MAPPER.readTree(JsonRecords.render(record));
      List<String> expected = new ArrayList<>();
      for (Schema.Field f : FileSchemas.of(record.getClass()).getFields()) {
        if (f.name().equals("features")) {
          FEATURES.forEach(v -> expected.add(v.getName()));
        } else {
          expected.add(f.name());
        }
      }
      List<String> actual = new ArrayList<>();
      for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
        actual.add(names.next());
      }
      assertEquals(record.getClass().getSimpleName(), expected, actual);
    }
  }

  @Test
  public void timesAreIsoFeaturesTypedContributionsAnObjectNullsNull() throws Exception {
    JsonNode row =
        MAPPER.readTree(JsonRecords.render(new FeatureRow("e1", "k1", T, "click", "fp", FEATURES)));
    assertEquals("2026-01-01T00:00:00.250Z", row.get("event_time").asText());
    assertEquals(3.0, row.get("clicks_7d").asDouble(), 0);
    assertEquals("DE", row.get("country").asText());
    assertTrue(row.get("age").isNull());

    JsonNode drift =
        MAPPER.readTree(
            JsonRecords.render(
                DriftRecord.newBuilder()
                    .setFeature("f")
                    .setStatistic("ks")
                    .setValue(0.3)
                    .setThreshold(0.2)
                    .setPValue(0.01)
                    .setWindowStart(T)
                    .setWindowEnd(null)
                    .setModelName("m")
                    .setModelVersion("3")
                    .setRows(10)
                    .setDrifted(false)
                    .build()));
    assertEquals("2026-01-01T00:00:00.250Z", drift.get("window_start").asText());
    assertTrue(drift.get("window_end").isNull());
    assertEquals(10, drift.get("rows").asLong());
    assertTrue(drift.get("drifted").isBoolean());

    JsonNode prediction =
        MAPPER.readTree(
            JsonRecords.render(
                Prediction.newBuilder()
                    .setEventId("e")
                    .setCustomerKey("k")
                    .setEventTime(T)
                    .setScore(0.25)
                    .setModelName("m")
                    .setModelVersion("3")
                    .setVariant("champion")
                    .setSpecFingerprint("fp")
                    .setContributions(
                        List.of(new Contribution("clicks_7d", 0.5), new Contribution("age", -0.1)))
                    .build()));
    assertEquals(0.5, prediction.get("contributions").get("clicks_7d").asDouble(), 0);
    assertEquals(-0.1, prediction.get("contributions").get("age").asDouble(), 0);
    assertEquals(0.25, prediction.get("score").asDouble(), 0);
  }

  @Test
  public void numbersTextsAndMissingFeaturesRenderAsAJsonTreeWould() throws Exception {
    List<FeatureValue> features =
        List.of(
            new FeatureValue("clicks_1h", 3.0, null),
            new FeatureValue("spend_7d", 12.345678901, null),
            new FeatureValue("ratio", Double.NaN, null),
            new FeatureValue("country", null, "DE\n"),
            new FeatureValue("age_days", null, null),
            new FeatureValue("tiny", 1e-12, null));
    FeatureRow r = new FeatureRow("e\"1\u00e9", "k", T, "view", "f", features);
    com.fasterxml.jackson.databind.node.ObjectNode tree = MAPPER.createObjectNode();
    tree.put("event_id", r.getEventId());
    tree.put("customer_key", r.getCustomerKey());
    tree.put("event_time", IsoText.instant(r.getEventTime()));
    tree.put("event_type", r.getEventType());
    tree.put("spec_fingerprint", r.getSpecFingerprint());
    for (FeatureValue f : features) {
      if (f.getNumber() != null) {
        tree.put(f.getName(), f.getNumber());
      } else if (f.getText() != null) {
        tree.put(f.getName(), f.getText());
      } else {
        tree.putNull(f.getName());
      }
    }
    assertEquals(MAPPER.writeValueAsString(tree), JsonRecords.render(r));
  }
}
