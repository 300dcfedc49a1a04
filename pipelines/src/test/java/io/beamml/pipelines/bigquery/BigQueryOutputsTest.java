package io.beamml.pipelines.bigquery;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Steps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The accounting every pipeline's BigQuery write shares: handed-over and accepted rows as summary
 * counts of the table's source, rejected rows as dead letters, and dead letters the dead-letter
 * table refuses as files.
 */
public class BigQueryOutputsTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static BigQueryDestinations destinations(FakeBigQuery bigQuery) {
    BigQuerySinkOptions options = PipelineOptionsFactory.create().as(BigQuerySinkOptions.class);
    bigQuery.configure(options);
    return BigQueryDestinations.from(options);
  }

  private static DeadLetter deadLetter(String message) {
    return DeadLetters.of(
        "clicks", Steps.PARSE, Reasons.MALFORMED_JSON, message, "{" + message, 1_000L);
  }

  @Test
  public void writeCountsHandedOverAndAcceptedRowsAndReturnsRejectedOnes() throws Exception {
    FakeBigQuery bigQuery =
        FakeBigQuery.create("outputs").failing(r -> "e-bad".equals(r.get("event_id")));
    PCollection<Prediction> predictions =
        p.apply(
            Create.of(
                    BigQuerySinkTest.prediction("e1", 0.1, 1_000L),
                    BigQuerySinkTest.prediction("e-bad", 0.2, 2_000L),
                    BigQuerySinkTest.prediction("e3", 0.3, 3_000L))
                .withCoder(AvroCoder.specific(Prediction.class)));
    List<PCollection<KV<String, Long>>> counts = new ArrayList<>();
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
    BigQueryOutputs.write(
        "Predictions", predictions, destinations(bigQuery).predictions(), counts, deadLetters);

    assertEquals(2, counts.size());
    assertEquals(1, deadLetters.size());
    PAssert.that(
            PCollectionList.of(counts).apply(Flatten.pCollections()).apply(SummaryCounts.totals()))
        .containsInAnyOrder(
            KV.of("predictions/records_in", 3L), KV.of("predictions/records_out", 2L));
    PAssert.thatSingleton(deadLetters.get(0))
        .satisfies(
            d -> {
              assertEquals(BigQueryDestinations.PREDICTIONS, d.getSource());
              assertEquals(Reasons.SINK_REJECTED, d.getReason());
              assertTrue(d.getRaw(), d.getRaw().contains("e-bad"));
              return null;
            });
    p.run().waitUntilFinish();
    assertEquals(2, bigQuery.rows(BigQueryDestinations.PREDICTIONS).size());
  }

  @Test
  public void deadLettersTheTableRefusesFallBackToFiles() throws Exception {
    FakeBigQuery bigQuery =
        FakeBigQuery.create("outputs").failing(r -> "refuse me".equals(r.get("message")));
    Path dir = tmp.newFolder("dead-letters").toPath();
    PCollection<DeadLetter> deadLetters =
        p.apply(
            Create.of(deadLetter("keep me"), deadLetter("refuse me"))
                .withCoder(DeadLetters.coder()));
    BigQueryOutputs.writeDeadLetters(deadLetters, destinations(bigQuery), dir.toString());
    p.run().waitUntilFinish();

    List<String> stored = new ArrayList<>();
    bigQuery
        .rows(BigQueryDestinations.DEAD_LETTERS)
        .forEach(r -> stored.add(String.valueOf(r.get("message"))));
    assertEquals(List.of("keep me"), stored);
    List<String> files = SampleData.linesUnder(dir, ".jsonl");
    assertEquals(1, files.size());
    JsonNode refused = new ObjectMapper().readTree(files.get(0));
    assertEquals(BigQueryDestinations.DEAD_LETTERS, refused.path("source").asText());
    assertEquals(Steps.SINK, refused.path("step").asText());
    assertEquals(Reasons.SINK_REJECTED, refused.path("reason").asText());
    assertTrue(refused.path("raw").asText(), refused.path("raw").asText().contains("refuse me"));
  }

  @Test
  public void withoutDestinationsDeadLettersAreFiles() throws Exception {
    Path dir = tmp.newFolder("dead-letters").toPath();
    PCollection<DeadLetter> deadLetters =
        p.apply(Create.of(deadLetter("a"), deadLetter("b")).withCoder(DeadLetters.coder()));
    BigQueryOutputs.writeDeadLetters(deadLetters, null, dir.toString());
    p.run().waitUntilFinish();

    List<String> messages = new ArrayList<>();
    for (String line : SampleData.linesUnder(dir, ".jsonl")) {
      messages.add(new ObjectMapper().readTree(line).path("message").asText());
    }
    messages.sort(null);
    assertEquals(List.of("a", "b"), messages);
  }
}
