package io.beamml.pipelines.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.Contribution;
import io.beamml.schemas.Prediction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

/**
 * Every prediction gets exactly one audit record, carrying its fields, the run and a scoring time.
 */
public class ToAuditRecordsTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  static Prediction prediction(int i, boolean explained) {
    return Prediction.newBuilder()
        .setEventId("event-" + i)
        .setCustomerKey("cust-" + (i % 3))
        .setEventTime(1_700_000_000_000L + i)
        .setScore(i / 100.0)
        .setModelName("promo")
        .setModelVersion(i % 2 == 0 ? "4" : "5")
        .setVariant(i % 2 == 0 ? "champion" : "challenger")
        .setSpecFingerprint("fp-" + (i % 2))
        .setContributions(
            explained
                ? List.of(Contribution.newBuilder().setFeature("clicks_7d").setValue(i).build())
                : null)
        .build();
  }

  @Test
  public void everyPredictionHasExactlyOneMatchingAuditRecord() {
    List<Prediction> predictions = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      predictions.add(prediction(i, i % 5 == 0));
    }
    long before = System.currentTimeMillis();
    PCollection<AuditRecord> audit =
        p.apply(Create.of(predictions).withCoder(AvroCoder.specific(Prediction.class)))
            .apply(ToAuditRecords.forRun("score-run-7"));
    PAssert.that(audit)
        .satisfies(
            records -> {
              long after = System.currentTimeMillis();
              Map<String, Prediction> byEvent = new HashMap<>();
              for (Prediction pr : predictions) {
                byEvent.put(pr.getEventId(), pr);
              }
              int n = 0;
              for (AuditRecord a : records) {
                n++;
                Prediction pr = byEvent.remove(a.getEventId());
                assertTrue(
                    "an audit record without its prediction, or two for one: " + a.getEventId(),
                    pr != null);
                assertEquals(pr.getCustomerKey(), a.getCustomerKey());
                assertEquals(pr.getModelName(), a.getModelName());
                assertEquals(pr.getModelVersion(), a.getModelVersion());
                assertEquals(pr.getVariant(), a.getVariant());
                assertEquals(pr.getSpecFingerprint(), a.getSpecFingerprint());
                assertEquals(pr.getScore(), a.getScore(), 0.0);
                assertEquals(pr.getEventTime(), a.getEventTime());
                assertEquals(pr.getContributions(), a.getContributions());
                assertEquals("score-run-7", a.getRunId());
                assertTrue(a.getScoringTime() >= before && a.getScoringTime() <= after);
              }
              assertEquals(predictions.size(), n);
              assertTrue(
                  "predictions without an audit record: " + byEvent.keySet(), byEvent.isEmpty());
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void jsonLineIsFlatWithIsoTimes() throws Exception {
    AuditRecord a = ToAuditRecords.of(prediction(5, true), "run-1", 1_700_000_001_000L);
    JsonNode json = new ObjectMapper().readTree(JsonRecords.render(a));
    assertEquals("event-5", json.path("event_id").asText());
    assertEquals("cust-2", json.path("customer_key").asText());
    assertEquals("5", json.path("model_version").asText());
    assertEquals("challenger", json.path("variant").asText());
    assertEquals("2023-11-14T22:13:20.005Z", json.path("event_time").asText());
    assertEquals("2023-11-14T22:13:21Z", json.path("scoring_time").asText());
    assertEquals("run-1", json.path("run_id").asText());
    assertEquals(5.0, json.path("contributions").path("clicks_7d").asDouble(), 0.0);
    assertTrue(
        "no explanations: contributions null",
        new ObjectMapper()
            .readTree(JsonRecords.render(ToAuditRecords.of(prediction(1, false), "r", 0L)))
            .get("contributions")
            .isNull());
  }

  @Test
  public void needsARunId() {
    assertThrows(IllegalArgumentException.class, () -> ToAuditRecords.forRun(" "));
  }
}
