package io.beamml.pipelines.quality;

import static org.junit.Assert.assertEquals;

import io.beamml.pipelines.io.JsonRecords;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.Prediction;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Scores read back from Avro predictions and JSON Lines audit records; what is not a score is a
 * dead letter.
 */
public class ReadScoresTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static Prediction prediction(String id, double score) {
    return Prediction.newBuilder()
        .setEventId(id)
        .setCustomerKey("k-" + id)
        .setEventTime(1_000L)
        .setScore(score)
        .setModelName("m")
        .setModelVersion("1")
        .setVariant("champion")
        .setSpecFingerprint("s")
        .build();
  }

  @Test
  public void readsBothFormatsAndRefusesWhatIsNotAScore() throws Exception {
    File avro = tmp.newFile("predictions.avro");
    try (DataFileWriter<Prediction> w =
        new DataFileWriter<>(new SpecificDatumWriter<>(Prediction.class))) {
      w.create(Prediction.getClassSchema(), avro);
      w.append(prediction("a", 0.25));
      w.append(prediction("b", 1.5));
    }
    File audit = tmp.newFile("audit.jsonl");
    String good =
        JsonRecords.render(
            AuditRecord.newBuilder()
                .setEventId("c")
                .setCustomerKey("k-c")
                .setModelName("m")
                .setModelVersion("1")
                .setVariant("challenger")
                .setSpecFingerprint("s")
                .setScore(0.75)
                .setEventTime(2_000L)
                .setScoringTime(2_000L)
                .setRunId("r")
                .setPromoId("P1")
                .build());
    Files.write(
        audit.toPath(),
        List.of(
            good,
            "",
            "{\"customer_key\":\"k\"",
            good.replace("\"score\":0.75", "\"score\":\"high\"")),
        StandardCharsets.UTF_8);

    List<PCollection<KV<String, Long>>> counts = new ArrayList<>();
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
    PCollection<Score> predictions =
        ReadScores.predictions(p, avro.toString(), counts, deadLetters);
    PCollection<Score> audits = ReadScores.audit(p, audit.toString(), counts, deadLetters);

    PAssert.that(predictions)
        .containsInAnyOrder(new Score("k-a", 1_000L, 0.25, "m", "1", "champion", null));
    PAssert.that(audits)
        .containsInAnyOrder(new Score("k-c", 2_000L, 0.75, "m", "1", "challenger", "P1"));
    PAssert.that(PCollectionList.of(deadLetters).apply(Flatten.pCollections()))
        .satisfies(
            letters -> {
              Map<String, String> bySourceAndReason = new TreeMap<>();
              letters.forEach(
                  d -> bySourceAndReason.put(d.getSource() + "/" + d.getReason(), d.getStep()));
              assertEquals(
                  Map.of(
                      "predictions/score_not_probability",
                      "parse",
                      "audit/malformed_json",
                      "parse",
                      "audit/wrong_type",
                      "parse"),
                  bySourceAndReason);
              return null;
            });
    PAssert.that(
            PCollectionList.of(counts)
                .apply("FlattenCounts", Flatten.pCollections())
                .apply(SummaryCounts.totals()))
        .containsInAnyOrder(
            KV.of("predictions/records_in", 2L), KV.of("predictions/records_out", 1L),
            KV.of("audit/records_in", 3L), KV.of("audit/records_out", 1L));
    p.run().waitUntilFinish();
  }
}
