package io.beamml.pipelines.score;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.bigquery.model.TableRow;
import io.beamml.inference.testing.TestModels;
import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.bigquery.BigQueryDestinations;
import io.beamml.pipelines.bigquery.BigQuerySinkOptions;
import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Steps;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The score pipeline's sinks: with {@code --sink=files} an audit record per prediction under
 * OUTPUT/audit/; with {@code --sink=bigquery} predictions, audit records and dead letters in their
 * tables (Beam's fake BigQuery), a rejected prediction among the dead letters and a balanced
 * summary.
 */
public class ScorePipelineSinkTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String PROJECT = "beamml-test";
  private static String registry;

  @BeforeClass
  public static void registerModel() throws Exception {
    registry = TMP.newFolder("registry").toString();
    TestModels.registerChampion(registry, 5, 200, 2, 5, new int[] {1}, 2f);
  }

  private static ScorePipeline.Options options(Path out) {
    ScorePipeline.Options options = PipelineOptionsFactory.create().as(ScorePipeline.Options.class);
    options.setRegistry(registry);
    options.setModel("promo@champion");
    options.setExplanations(2);
    options.setOutput(out.toString());
    options.setOutputFormat(OutputFormat.jsonl);
    options.setClicks(SampleData.clicks());
    options.setSales(SampleData.sales());
    options.setProfiles(SampleData.profiles());
    options.setJobName("score-sink-test");
    return options;
  }

  @Test
  public void filesSinkWritesOneAuditRecordPerPrediction() throws Exception {
    Path out = TMP.newFolder("files").toPath();
    ScorePipeline.run(options(out), SampleData.KEY);

    ObjectMapper mapper = new ObjectMapper();
    Map<String, JsonNode> predictions = new TreeMap<>();
    for (String line :
        SampleData.linesUnder(out.resolve(ScorePipeline.PREDICTIONS_DIR), ".jsonl")) {
      JsonNode p = mapper.readTree(line);
      predictions.put(p.path("event_id").asText(), p);
    }
    List<String> auditLines = SampleData.linesUnder(out.resolve(ScorePipeline.AUDIT_DIR), ".jsonl");
    assertEquals(predictions.size(), auditLines.size());
    for (String line : auditLines) {
      JsonNode a = mapper.readTree(line);
      JsonNode p = predictions.remove(a.path("event_id").asText());
      assertTrue(
          "audit record without its prediction, or a second one: " + a.path("event_id"), p != null);
      for (String field :
          List.of(
              "customer_key",
              "model_name",
              "model_version",
              "variant",
              "spec_fingerprint",
              "score",
              "event_time",
              "contributions")) {
        assertEquals(field, p.path(field), a.path(field));
      }
      assertEquals("score-sink-test", a.path("run_id").asText());
      assertTrue(a.path("scoring_time").asText().endsWith("Z"));
    }
    assertTrue("predictions without audit records: " + predictions.keySet(), predictions.isEmpty());
  }

  @Test
  public void bigQuerySinkWritesTablesAndTurnsRejectedRowsIntoDeadLetters() throws Exception {
    FakeDatasetService.setUp();
    FakeDatasetService datasets = new FakeDatasetService();
    datasets.createDataset(PROJECT, "scoring", "", "", null);
    Path out = TMP.newFolder("bigquery").toPath();
    ScorePipeline.Options options = options(out);

    // BigQuery refuses the predictions (not the audit records) of events whose id ends in 00.
    datasets.setShouldFailRow(
        (Function<TableRow, Boolean> & Serializable)
            r ->
                r.containsKey("variant")
                    && !r.containsKey("run_id")
                    && String.valueOf(r.get("event_id")).endsWith("00"));

    options.setSink(BigQuerySinkOptions.Sink.bigquery);
    options.setBigQueryDataset(PROJECT + ":scoring");
    options.setBigQueryServices(
        new FakeBigQueryServices()
            .withDatasetService(datasets)
            .withJobService(new FakeJobService()));
    ScorePipeline.run(options, SampleData.KEY);

    List<String> audited = ids(datasets.getAllRows(PROJECT, "scoring", "audit"));
    List<String> refused = new ArrayList<>();
    List<String> expectedWritten = new ArrayList<>();
    for (String id : audited) {
      (id.endsWith("00") ? refused : expectedWritten).add(id);
    }
    assertTrue("the sample should hold event ids ending in 00", !refused.isEmpty());
    assertEquals(expectedWritten, ids(datasets.getAllRows(PROJECT, "scoring", "predictions")));

    ObjectMapper mapper = new ObjectMapper();
    JsonNode summary = mapper.readTree(RunSummary.read(out.toString()));
    assertTrue(summary.toPrettyString(), summary.path("balanced").asBoolean());
    JsonNode predictions = summary.path("sources").path(BigQueryDestinations.PREDICTIONS);
    long scored = summary.path("sources").path("features").path("records_out").asLong();
    assertEquals(scored, audited.size());
    assertEquals(scored, predictions.path("records_in").asLong());
    assertEquals(expectedWritten.size(), predictions.path("records_out").asLong());
    assertEquals(
        refused.size(), predictions.path("dead_letters").path(Reasons.SINK_REJECTED).asLong());
    JsonNode audit = summary.path("sources").path(BigQueryDestinations.AUDIT);
    assertEquals(scored, audit.path("records_out").asLong());

    List<TableRow> deadLetters = datasets.getAllRows(PROJECT, "scoring", "dead_letters");
    long expectedDeadLetters = 0;
    for (JsonNode source : summary.path("sources")) {
      expectedDeadLetters += source.path("dead_letters_total").asLong();
    }
    assertEquals(expectedDeadLetters, deadLetters.size());
    List<TableRow> sinkRejected = new ArrayList<>();
    for (TableRow d : deadLetters) {
      if (Reasons.SINK_REJECTED.equals(d.get("reason"))) {
        sinkRejected.add(d);
      }
    }
    assertEquals(refused.size(), sinkRejected.size());
    for (TableRow d : sinkRejected) {
      assertEquals(BigQueryDestinations.PREDICTIONS, d.get("source"));
      assertEquals(Steps.SINK, d.get("step"));
      String raw = String.valueOf(d.get("raw"));
      assertTrue(raw, refused.stream().anyMatch(id -> raw.contains("\"" + id + "\"")));
    }
    // No dead letter was refused, so none fell back to files.
    Path fallback = out.resolve(ScorePipeline.DEAD_LETTERS_DIR);
    if (java.nio.file.Files.exists(fallback)) {
      assertEquals(List.of(), SampleData.linesUnder(fallback, ".jsonl"));
    }
  }

  @Test
  public void aBatchRunRefusesTheKafkaSinkWhenBuilt() throws Exception {
    ScorePipeline.Options options =
        PipelineOptionsFactory.fromArgs("--sink=kafka").as(ScorePipeline.Options.class);
    Path out = TMP.newFolder("kafka").toPath();
    options.setRegistry(registry);
    options.setModel("promo@champion");
    options.setOutput(out.toString());
    options.setClicks(SampleData.clicks());
    Pipeline p = Pipeline.create(options);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ScorePipeline.build(p, options, SampleData.KEY));
    assertEquals(
        "--sink=kafka is for the streaming job only; a batch run writes --sink=files (under --output) "
            + "or --sink=bigquery (tables in --bigQueryDataset)",
        e.getMessage());
    assertEquals("nothing was added to the pipeline", 0, countTransforms(p));
    // Without --sink a batch run writes files.
    options.setSink(null);
    assertEquals(BigQuerySinkOptions.Sink.files, BigQuerySinkOptions.Sink.forBatch(options));
  }

  private static int countTransforms(Pipeline p) {
    int[] count = {0};
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public void visitPrimitiveTransform(
              org.apache.beam.sdk.runners.TransformHierarchy.Node node) {
            count[0]++;
          }
        });
    return count[0];
  }

  private static List<String> ids(List<TableRow> rows) {
    List<String> ids = new ArrayList<>();
    for (TableRow r : rows) {
      ids.add(String.valueOf(r.get("event_id")));
    }
    ids.sort(null);
    return ids;
  }
}
