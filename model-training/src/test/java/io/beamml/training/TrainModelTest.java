package io.beamml.training;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.card.ModelCard;
import io.beamml.training.data.TrainingSet;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.training.evaluation.BoosterScorer;
import io.beamml.training.evaluation.Evaluation;
import io.beamml.transforms.features.FeatureSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TrainModelTest {

  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();

  private static Path setDir;
  private static Path truth;
  private static String registryRoot;
  private static ModelMetadata trained;
  private static TrainedVersion result;

  @BeforeClass
  public static void train() throws Exception {
    SyntheticData data = SyntheticData.generate(3000, 1.0, 21);
    setDir = data.write(tmp.newFolder("set").toPath(), 3);
    truth = data.writeTruth(tmp.newFile("truth.csv").toPath());
    registryRoot = tmp.newFolder("registry").toString();
    result =
        TrainModel.run(
            options(
                "--registry=" + registryRoot,
                "--trainingSet=" + setDir,
                "--modelName=promo",
                "--truthFile=" + truth));
    trained = result.metadata();
  }

  static TrainOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(TrainOptions.class);
  }

  @Test
  public void modelBeatsTheBaseRate() {
    Map<String, Double> m = trained.metrics;
    assertTrue("test AUC " + m.get("test_auc"), m.get("test_auc") > 0.7);
    assertTrue(
        "log loss " + m.get("test_logloss") + " vs base-rate " + m.get("baseline_logloss"),
        m.get("test_logloss") < m.get("baseline_logloss") - 0.02);
    assertTrue(m.get("base_rate") > 0.1 && m.get("base_rate") < 0.9);
    assertTrue(m.get("validation_logloss") > 0);
  }

  @Test
  public void oracleAucIsReportedBesideTheModels() {
    Map<String, Double> m = trained.metrics;
    assertNotNull(m.get("oracle_auc"));
    assertEquals(600.0, m.get("oracle_rows"), 0);
    assertEquals(m.get("test_auc"), m.get("oracle_model_auc"), 1e-12);
    // The true probabilities rank at least about as well as any model can.
    assertTrue(m.get("oracle_auc") > m.get("test_auc") - 0.02);
    // The returned evaluation is the one recorded.
    assertEquals(m.get("oracle_auc"), result.test().oracle().auc(), 0);
    assertEquals(m.get("test_auc"), result.test().auc(), 0);
    assertEquals(m.get("test_logloss"), result.test().logLoss(), 0);
    assertThat(result.test().calibrationTable(), containsString("[0.0, 0.1)"));
  }

  @Test
  public void metadataDescribesTheVersion() {
    TrainingSet set = TrainingSetReader.of(setDir.toString()).read();
    FeatureSpec spec = FeatureSpec.defaultSpec();
    assertEquals("promo", trained.name);
    assertEquals("1", trained.version);
    assertEquals("trained", trained.origin);
    assertEquals("json", trained.modelFormat);
    assertEquals("model.json", trained.modelFile);
    assertEquals(spec.featureNames(), trained.featureNames);
    assertEquals(spec.fingerprint(), trained.specFingerprint);
    assertEquals(spec.toCanonicalJson(), trained.featureSpec);
    assertEquals(set.fingerprint(), trained.trainingDataFingerprint);
    assertEquals(Map.of("train", 1800L, "validation", 600L, "test", 600L), trained.trainingRows);
    assertEquals(0.1, ((Number) trained.params.get("eta")).doubleValue(), 0);
    assertEquals(300, ((Number) trained.params.get("num_round")).intValue());
    assertTrue(trained.metrics.containsKey("best_iteration"));
    assertNotNull(trained.createdAt);
    assertTrue(trained.codeVersion, trained.codeVersion.matches("\\d+\\.\\d+\\.\\d+.*|dev"));
    assertEquals(
        List.of(
            ModelCard.CALIBRATION,
            ModelCard.IMPORTANCE,
            ModelCard.HTML,
            ReferenceProfile.FILE,
            ModelCard.ROC),
        trained.attachments);

    ModelMetadata stored = ModelRegistry.at(registryRoot).metadata("promo", "1");
    assertEquals(trained.sha256, stored.sha256);
    assertEquals(trained.metrics, stored.metrics);
  }

  @Test
  public void theStoredModelIsTheEvaluatedOne() throws Exception {
    ModelRegistry registry = ModelRegistry.at(registryRoot);
    TrainingSet set = TrainingSetReader.of(setDir.toString()).read();
    Booster booster =
        XGBoost.loadModel(registry.readVerifiedModel(registry.metadata("promo", "1")));
    try {
      assertEquals(trained.metrics.get("best_iteration") + 1, booster.getNumBoostedRound(), 0);
      float[] scores =
          BoosterScorer.of(booster)
              .score(set.test().features(), set.test().rows(), set.test().columns());
      assertEquals(
          trained.metrics.get("test_auc"), Evaluation.of(scores, set.test().labels()).auc(), 1e-12);
      assertEquals(FeatureSpec.defaultSpec().featureNames(), List.of(booster.getFeatureNames()));
      // Unnamed input still scores, in place too (as a serving path may call it).
      float[][] inplace =
          booster.inplace_predict(
              set.test().features(), set.test().rows(), set.test().columns(), Float.NaN);
      for (int i = 0; i < scores.length; i++) {
        assertEquals(scores[i], inplace[i][0], 1e-6f);
      }
    } finally {
      booster.dispose();
    }
  }

  @Test
  public void modelCardReferencesValidPngs() throws Exception {
    ModelRegistry registry = ModelRegistry.at(registryRoot);
    String html =
        new String(registry.readAttachment("promo", "1", ModelCard.HTML), StandardCharsets.UTF_8);
    for (String png : List.of(ModelCard.ROC, ModelCard.CALIBRATION, ModelCard.IMPORTANCE)) {
      assertThat(html, containsString("src=\"" + png + "\""));
      BufferedImage image =
          ImageIO.read(new ByteArrayInputStream(registry.readAttachment("promo", "1", png)));
      assertNotNull(png + " is not a readable image", image);
      assertEquals(640, image.getWidth());
    }
    assertThat(html, containsString("promo:1"));
    assertThat(html, containsString(trained.specFingerprint));
    assertThat(html, containsString(trained.trainingDataFingerprint));
    assertThat(html, containsString(trained.sha256));
    assertThat(html, containsString("oracle_auc"));
    assertThat(html, containsString("Oracle: the true probabilities reach AUC"));
    assertThat(html, containsString("clicks_7d"));
    assertThat(html, containsString("best iteration"));
  }

  @Test
  public void trainStoresTheTrainSplitsReferenceHistograms() {
    ModelRegistry registry = ModelRegistry.at(registryRoot);
    ReferenceProfile stored = ReferenceProfile.load(registry, "promo", "1");
    TrainingSet set = TrainingSetReader.of(setDir.toString()).read();
    assertEquals(1800, stored.rows());
    assertEquals(trained.specFingerprint, stored.specFingerprint());
    assertEquals(FeatureSpec.defaultSpec().featureNames().size(), stored.features().size());
    assertArrayEquals(ReferenceProfile.fromTraining(set).toJson(), stored.toJson());
    assertArrayEquals(
        registry.readAttachment("promo", "1", ReferenceProfile.FILE), stored.toJson());
    assertEquals(1800, result.trainRows());
  }

  @Test
  public void minAucKeepsAWeakModelOutOfTheRegistry() throws Exception {
    String root = tmp.newFolder("strict").toString();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                TrainModel.run(
                    options(
                        "--registry=" + root,
                        "--trainingSet=" + setDir,
                        "--modelName=promo",
                        "--minAuc=0.99")));
    assertThat(e.getMessage(), containsString("below --minAuc=0.9900"));
    assertTrue(ModelRegistry.at(root).versions("promo").isEmpty());
  }
}
