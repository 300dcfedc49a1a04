package io.beamml.pipelines.score;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.inference.testing.TestModels;
import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.pipelines.summary.RunSummary;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Batch scoring over the committed sample: raw inputs and the feature rows a backfill stored give
 * the same predictions, and every row is scored exactly once by the champion.
 */
public class ScorePipelineTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static String registry;

  @BeforeClass
  public static void registerModel() throws Exception {
    registry = TMP.newFolder("registry").toString();
    TestModels.registerChampion(registry, 3, 400, 3, 20, new int[] {3, 1}, 5f);
  }

  private static ScorePipeline.Options options(Path out) {
    ScorePipeline.Options options = PipelineOptionsFactory.create().as(ScorePipeline.Options.class);
    options.setRegistry(registry);
    options.setModel("promo@champion");
    options.setOutput(out.toString());
    options.setOutputFormat(OutputFormat.jsonl);
    return options;
  }

  @Test
  public void rawInputsAndStoredFeatureRowsScoreAlikeAndBalance() throws Exception {
    Path fromRaw = TMP.newFolder("raw").toPath();
    ScorePipeline.Options raw = options(fromRaw);
    raw.setClicks(SampleData.clicks());
    raw.setSales(SampleData.sales());
    raw.setProfiles(SampleData.profiles());
    ScorePipeline.run(raw, SampleData.KEY);

    Path backfill = TMP.newFolder("backfill").toPath();
    BackfillPipeline.Options backfillOptions =
        PipelineOptionsFactory.create().as(BackfillPipeline.Options.class);
    backfillOptions.setClicks(SampleData.clicks());
    backfillOptions.setSales(SampleData.sales());
    backfillOptions.setProfiles(SampleData.profiles());
    backfillOptions.setOutput(backfill.toString());
    BackfillPipeline.run(backfillOptions, SampleData.KEY);
    Path fromStored = TMP.newFolder("stored").toPath();
    ScorePipeline.Options stored = options(fromStored);
    stored.setFeatures(backfill.resolve(BackfillPipeline.FEATURES_DIR) + "/*/*.avro");
    ScorePipeline.run(stored, null);

    List<String> rawPredictions =
        SampleData.linesUnder(fromRaw.resolve(ScorePipeline.PREDICTIONS_DIR), ".jsonl");
    SampleData.assertSameLines(
        "predictions",
        rawPredictions,
        SampleData.linesUnder(fromStored.resolve(ScorePipeline.PREDICTIONS_DIR), ".jsonl"));

    JsonNode summary = new ObjectMapper().readTree(RunSummary.read(fromRaw.toString()));
    assertTrue(summary.path("balanced").asBoolean());
    long events =
        SampleData.manifest().path("sources").path("clicks").path("valid_unique").asLong()
            + SampleData.manifest().path("sources").path("sales").path("valid_unique").asLong();
    JsonNode features = summary.path("sources").path("features");
    assertEquals(events, features.path("records_in").asLong());
    assertEquals(events, features.path("records_out").asLong());
    assertEquals(events, rawPredictions.size());

    ObjectMapper mapper = new ObjectMapper();
    for (String line : rawPredictions) {
      JsonNode p = mapper.readTree(line);
      assertEquals("promo", p.path("model_name").asText());
      assertEquals("1", p.path("model_version").asText());
      assertEquals("champion", p.path("variant").asText());
      double score = p.path("score").asDouble();
      assertTrue(line, score > 0 && score < 1);
    }
  }
}
