package io.beamml.pipelines.quality;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import io.beamml.training.ModelEvaluation;
import io.beamml.training.evaluation.Auc;
import io.beamml.training.evaluation.TruthFile;
import io.beamml.training.quality.QualityAlarm;
import io.beamml.training.quality.QualityReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code quality-report} over generated responses whose true probabilities are known: a champion
 * scoring with the truth and a degraded challenger (noise). The live AUC of every day and variant
 * equals the AUC computed directly from the scores each response must have got; the degraded
 * challenger meets the alert condition, the champion does not; every response is accounted for.
 */
public class QualityReportPipelineTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final int MIN_POSITIVES = 15;
  private static KnownScores known;
  private static JsonNode readout;
  private static JsonNode summary;
  private static Path out;
  private static double oracleAuc;

  @BeforeClass
  public static void runReport() throws Exception {
    Path data = TMP.newFolder("data").toPath();
    DataGenerator.generate(GeneratorConfig.of(8000, 4, 23), data);
    known = KnownScores.write(data, SampleData.KEY, TMP.newFolder("scores").toPath());
    TruthFile truth =
        TruthFile.read(data.resolve(DataGenerator.TRUTH_FILE).toString()).keyedBy(SampleData.KEY);
    oracleAuc =
        auc(
            known.expected.values().stream()
                .map(
                    e ->
                        new KnownScores.Expected(
                            e.promoId(),
                            e.customerKey(),
                            e.sentTime(),
                            e.responded(),
                            truth.probability(e.promoId(), e.customerKey()),
                            e.variant()))
                .toList());

    String registry = TMP.newFolder("registry").toString();
    ModelRegistry models = ModelRegistry.at(registry);
    for (int v = 1; v <= 2; v++) {
      ModelMetadata template = new ModelMetadata();
      template.featureNames = List.of("f");
      template.specFingerprint = "spec";
      template.featureSpec = "{}";
      // Both versions were as good as the truth on their test split.
      template.metrics =
          new TreeMap<>(
              Map.of(ModelEvaluation.TEST_AUC, oracleAuc, ModelEvaluation.TEST_LOGLOSS, 0.35));
      models.register(
          KnownScores.MODEL, "{}".getBytes(StandardCharsets.UTF_8), "json", template, Map.of());
    }

    out = TMP.newFolder("out").toPath();
    QualityReportPipeline.Options options =
        PipelineOptionsFactory.fromArgs(
                "--responses=" + data.resolve(DataGenerator.RESPONSES_FILE),
                "--predictions=" + known.predictions,
                "--audit=" + known.audit,
                "--registry=" + registry,
                "--model=" + KnownScores.MODEL + "@champion",
                "--output=" + out,
                "--minPositives=" + MIN_POSITIVES)
            .withValidation()
            .as(QualityReportPipeline.Options.class);
    Pipeline p = Pipeline.create(options);
    QualityReportPipeline.build(
        p, options, SampleData.KEY, QualityReportPipeline.testMetrics(options));
    p.run().waitUntilFinish();
    QualityReportPipeline.writeReport(options);
    ObjectMapper mapper = new ObjectMapper();
    readout = mapper.readTree(QualityReportPipeline.readReadout(out.toString()));
    summary = mapper.readTree(RunSummary.read(out.toString()));
  }

  private static double auc(List<KnownScores.Expected> rows) {
    double[] scores = rows.stream().mapToDouble(KnownScores.Expected::score).toArray();
    float[] labels = new float[rows.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rows.get(i).responded() ? 1f : 0f;
    }
    return Auc.of(scores, labels);
  }

  @Test
  public void liveAucPerDayEqualsTheAucOfTheScoresEachResponseGot() {
    Map<String, List<KnownScores.Expected>> byDayAndVariant = new TreeMap<>();
    for (KnownScores.Expected e : known.expected.values()) {
      String day = java.time.Instant.ofEpochMilli(e.sentTime()).toString().substring(0, 10);
      byDayAndVariant.computeIfAbsent(day + "/" + e.variant(), k -> new ArrayList<>()).add(e);
    }
    assertEquals(8, byDayAndVariant.size());
    assertEquals(byDayAndVariant.size(), readout.path("rows").size());
    for (JsonNode row : readout.path("rows")) {
      List<KnownScores.Expected> expected =
          byDayAndVariant.get(row.path("day").asText() + "/" + row.path("variant").asText());
      assertEquals(row.toString(), expected.size(), row.path("rows").asLong());
      assertEquals(
          expected.stream().filter(KnownScores.Expected::responded).count(),
          row.path("positives").asLong());
      assertEquals(row.toString(), auc(expected), row.path("auc").asDouble(), 1e-12);
      assertEquals(
          row.path("variant").asText().equals("champion") ? "1" : "2",
          row.path("model_version").asText());
      assertEquals(oracleAuc, row.path("test_auc").asDouble(), 0.0);
      assertEquals(
          row.toString(),
          row.path("positives").asLong() >= MIN_POSITIVES,
          row.path("alarmable").asBoolean());
    }
  }

  @Test
  public void theDegradedChallengerTripsTheAlertAndTheChampionDoesNot() {
    Map<String, JsonNode> alerts = new TreeMap<>();
    readout.path("alerts").forEach(a -> alerts.put(a.path("variant").asText(), a));
    assertTrue(
        alerts.get("challenger").toString(), alerts.get("challenger").path("firing").asBoolean());
    assertTrue(
        alerts.get("challenger").path("days_below_test").asInt() >= QualityAlarm.DEFAULT_DAYS);
    assertFalse(
        alerts.get("champion").toString(), alerts.get("champion").path("firing").asBoolean());
    for (JsonNode row : readout.path("rows")) {
      if (row.path("variant").asText().equals("champion")) {
        assertTrue(row.toString(), row.path("auc").asDouble() > oracleAuc - 0.05 - 0.1);
      }
    }
  }

  @Test
  public void theAbReadOutSaysTheChampionIsBetter() {
    JsonNode pooled = null;
    int days = 0;
    for (JsonNode c : readout.path("ab")) {
      if (c.path("scope").asText().equals("pooled")) {
        pooled = c;
      } else {
        days++;
      }
    }
    assertEquals(4, days);
    assertEquals("champion_better", pooled.path("verdict").asText());
    assertTrue(pooled.path("ci95_high").asDouble() < 0);
    assertEquals(
        pooled.path("challenger").path("auc").asDouble()
            - pooled.path("champion").path("auc").asDouble(),
        pooled.path("auc_difference").asDouble(),
        1e-12);
  }

  @Test
  public void everyResponseIsAccountedFor() {
    JsonNode responses = summary.path("sources").path("responses");
    assertTrue(summary.toString(), summary.path("balanced").asBoolean());
    assertEquals(known.unscored.size(), responses.path(QualityReportPipeline.UNSCORED).asLong());
    assertEquals(known.unscored.size(), readout.path("unscored_responses").asLong());
    assertEquals(
        known.expected.size() + known.unscored.size(), responses.path("records_out").asLong());
    assertEquals(
        1,
        summary
            .path("sources")
            .path("predictions")
            .path("dead_letters")
            .path("score_not_probability")
            .asLong());
    assertTrue(known.unscored.size() > 0);
  }

  @Test
  public void theHtmlReportShowsTheTestMetricsAndPlots() throws Exception {
    String html = Files.readString(out.resolve(QualityReport.HTML));
    assertTrue(html.contains(KnownScores.MODEL + ":1"));
    assertTrue(html.contains("FIRING"));
    assertTrue(html.contains("champion better"));
    for (String png :
        List.of(
            QualityReport.AUC_PNG,
            QualityReport.CALIBRATION_PNG,
            QualityReport.LOSS_PNG,
            QualityReport.BRIER_PNG)) {
      assertTrue(png, html.contains(png));
      assertTrue(png, Files.size(out.resolve(png)) > 1000);
    }
  }
}
