package io.beamml.training;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.AliasChange;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.registry.RegistryFiles;
import io.beamml.training.card.ModelCard;
import io.beamml.training.data.TrainingSet;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.training.evaluation.BoosterScorer;
import io.beamml.training.evaluation.Evaluation;
import io.beamml.transforms.features.FeatureSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ImportModelTest {

  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();

  private static final String NAMES = String.join(",", FeatureSpec.defaultSpec().featureNames());

  private static Path setDir;
  private static TrainingSet set;

  /** Stands in for a model trained elsewhere: saved to files, then imported. */
  private static TrainedModel external;

  private static Path jsonFile;
  private static Path ubjFile;

  @BeforeClass
  public static void trainElsewhere() throws Exception {
    setDir = SyntheticData.generate(3000, 1.0, 41).write(tmp.newFolder("set").toPath(), 2);
    set = TrainingSetReader.of(setDir.toString()).read();
    external = Trainer.with(TrainingParams.defaultParams()).train(set);
    jsonFile =
        Files.write(
            tmp.getRoot().toPath().resolve("external.json"),
            external.booster().toByteArray("json"));
    ubjFile =
        Files.write(
            tmp.getRoot().toPath().resolve("external.ubj"), external.booster().toByteArray("ubj"));
  }

  @AfterClass
  public static void dispose() {
    external.close();
  }

  static ModelMetadata register(String root, String... extra) {
    List<String> args = new ArrayList<>(List.of("--registry=" + root, "--modelName=imported"));
    args.addAll(Arrays.asList(extra));
    return ImportModel.run(
            PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
                .withValidation()
                .as(RegisterOptions.class))
        .metadata();
  }

  private static float[] predict(Booster booster) {
    return BoosterScorer.of(booster)
        .score(set.test().features(), set.test().rows(), set.test().columns());
  }

  @Test
  public void importsJsonAndUbjThatPredictExactlyLikeTheOriginal() throws Exception {
    String root = tmp.newFolder("registry").toString();
    ModelRegistry registry = ModelRegistry.at(root);
    float[] original = predict(external.booster());

    ModelMetadata fromJson = register(root, "--modelFile=" + jsonFile, "--featureNames=" + NAMES);
    ModelMetadata fromUbj = register(root, "--modelFile=" + ubjFile, "--featureNames=" + NAMES);

    assertEquals("1", fromJson.version);
    assertEquals("2", fromUbj.version);
    assertEquals("model.json", fromJson.modelFile);
    assertEquals("model.ubj", fromUbj.modelFile);
    assertEquals(RegistryFiles.sha256Hex(Files.readAllBytes(ubjFile)), fromUbj.sha256);
    for (ModelMetadata m : List.of(fromJson, fromUbj)) {
      assertEquals("imported", m.origin);
      // Read from the file itself (JSON and UBJ alike), not from the library that loads it.
      assertEquals(m.modelFile, "3.4.0", m.xgboostVersion);
      assertTrue(m.metrics.isEmpty());
      assertEquals(FeatureSpec.defaultSpec().fingerprint(), m.specFingerprint);
      assertEquals(FeatureSpec.defaultSpec().featureNames(), m.featureNames);
      assertTrue(m.attachments.contains(ModelCard.HTML));
      assertTrue(m.attachments.contains(ModelCard.IMPORTANCE));
      Booster loaded =
          XGBoost.loadModel(registry.readVerifiedModel(registry.metadata("imported", m.version)));
      try {
        assertArrayEquals(m.modelFile, original, predict(loaded), 0f);
      } finally {
        loaded.dispose();
      }
    }
    String card =
        new String(
            registry.readAttachment("imported", "2", ModelCard.HTML), StandardCharsets.UTF_8);
    assertThat(card, containsString("Not evaluated"));
    assertThat(card, containsString("Imported from " + ubjFile));
  }

  @Test
  public void anUnevaluatedImportCannotPassTheGate() throws Exception {
    String root = tmp.newFolder("gate").toString();
    register(root, "--modelFile=" + jsonFile);
    Promotion refused =
        PromoteModel.run(
            PipelineOptionsFactory.fromArgs("--registry=" + root, "--model=imported:1")
                .as(PromoteOptions.class));
    assertTrue(refused.refused());
    assertThat(refused.verdict().explanation(), containsString("imported:1 has no test AUC"));
    assertTrue(ModelRegistry.at(root).aliases("imported").isEmpty());
  }

  @Test
  public void evaluatesOnRegisterWhenGivenATestSet() throws Exception {
    String root = tmp.newFolder("evaluated").toString();
    Path truth =
        SyntheticData.generate(3000, 1.0, 41).writeTruth(tmp.newFile("truth.csv").toPath());
    ModelMetadata m =
        register(root, "--modelFile=" + ubjFile, "--testSet=" + setDir, "--truthFile=" + truth);

    double expected = Evaluation.of(predict(external.booster()), set.test().labels()).auc();
    assertEquals(expected, m.metrics.get("test_auc"), 1e-12);
    assertNotNull(m.metrics.get("oracle_auc"));
    assertTrue(m.attachments.contains(ModelCard.ROC));
    assertTrue(m.attachments.contains(ModelCard.CALIBRATION));

    AliasChange change =
        PromoteModel.run(
                PipelineOptionsFactory.fromArgs("--registry=" + root, "--model=imported:1")
                    .as(PromoteOptions.class))
            .change();
    assertEquals("1", change.toVersion);
    assertTrue(!change.forced);
  }

  @Test
  public void refusesAModelWhoseColumnsDoNotMatch() throws Exception {
    String root = tmp.newFolder("mismatch").toString();
    Random r = new Random(1);
    float[] x = new float[200 * 3];
    float[] y = new float[200];
    for (int i = 0; i < 200; i++) {
      for (int j = 0; j < 3; j++) {
        x[i * 3 + j] = r.nextFloat();
      }
      y[i] = x[i * 3] > 0.5f ? 1 : 0;
    }
    DMatrix m = new DMatrix(x, 200, 3, Float.NaN);
    m.setLabel(y);
    Booster threeColumns =
        XGBoost.train(
            m,
            new java.util.HashMap<>(
                java.util.Map.of("objective", "binary:logistic", "verbose_eval", "false")),
            3,
            new java.util.HashMap<>(),
            null,
            null,
            null,
            0);
    Path file =
        Files.write(tmp.getRoot().toPath().resolve("three.json"), threeColumns.toByteArray("json"));
    threeColumns.dispose();
    m.dispose();

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> register(root, "--modelFile=" + file));
    assertThat(
        e.getMessage(),
        containsString("was trained on 3 features but 11 feature names were given"));

    IllegalArgumentException names =
        assertThrows(
            IllegalArgumentException.class,
            () -> register(root, "--modelFile=" + jsonFile, "--featureNames=a,b,c"));
    assertThat(names.getMessage(), containsString("are not the feature spec's columns"));

    Booster renamed = XGBoost.loadModel(external.booster().toByteArray("json"));
    String[] shuffled = FeatureSpec.defaultSpec().featureNames().toArray(new String[0]);
    String swap = shuffled[0];
    shuffled[0] = shuffled[1];
    shuffled[1] = swap;
    renamed.setFeatureNames(shuffled);
    Path swapped =
        Files.write(tmp.getRoot().toPath().resolve("swapped.json"), renamed.toByteArray("json"));
    renamed.dispose();
    IllegalArgumentException order =
        assertThrows(
            IllegalArgumentException.class, () -> register(root, "--modelFile=" + swapped));
    assertThat(order.getMessage(), containsString("names its features [clicks_7d, views_7d"));
    assertTrue(ModelRegistry.at(root).versions("imported").isEmpty());
  }

  @Test
  public void refusesFilesXgboostCannotRead() throws Exception {
    String root = tmp.newFolder("bad").toString();
    Path garbage =
        Files.writeString(tmp.getRoot().toPath().resolve("garbage.json"), "{not a model");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> register(root, "--modelFile=" + garbage));
    assertThat(e.getMessage(), containsString("XGBoost4J cannot load"));

    Path pickle = Files.writeString(tmp.getRoot().toPath().resolve("model.pkl"), "x");
    IllegalArgumentException ext =
        assertThrows(IllegalArgumentException.class, () -> register(root, "--modelFile=" + pickle));
    assertThat(ext.getMessage(), containsString(".json or .ubj"));
  }
}
