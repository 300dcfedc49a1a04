package io.beamml.inference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.ModelIntegrityException;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.testing.TestModels;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.features.FeatureDefinition;
import io.beamml.transforms.features.FeatureSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import ml.dmlc.xgboost4j.java.Booster;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class LoadedModelTest {

  @ClassRule public static TemporaryFolder folder = new TemporaryFolder();

  private static Booster booster;
  private static List<FeatureRow> rows;
  private static float[] reference;
  private static String root;

  @BeforeClass
  public static void trainModel() throws Exception {
    rows = TestModels.rows(300, 1);
    booster = TestModels.train(rows, 20, 4);
    reference = TestModels.reference(booster, rows);
    root = folder.newFolder("registry").getAbsolutePath();
  }

  @AfterClass
  public static void dispose() {
    booster.dispose();
  }

  @Test
  public void predictMatchesXgboostOnADMatrix() throws Exception {
    String version = TestModels.register(root, "plain", booster, "json");
    try (LoadedModel model = LoadedModel.load(new ModelKey(root, "plain", version), null)) {
      float[] scores = model.predict(TestModels.matrix(rows), rows.size());
      for (int i = 0; i < rows.size(); i++) {
        assertEquals(reference[i], scores[i], 1e-6f);
      }
      assertEquals(TestModels.SPEC.fingerprint(), model.specFingerprint());
      assertEquals(11, model.width());
    }
  }

  @Test
  public void jsonAndUbjFilesScoreIdentically() throws Exception {
    Path json = folder.newFile("model.json").toPath();
    Path ubj = folder.newFile("model.ubj").toPath();
    booster.saveModel(json.toString());
    booster.saveModel(Files.newOutputStream(ubj), "ubj");
    ModelRegistry registry = ModelRegistry.at(root);
    String vJson =
        registry.register(
                "files", Files.readAllBytes(json), "json", TestModels.trainedMetadata(), Map.of())
            .version;
    String vUbj =
        registry.register(
                "files", Files.readAllBytes(ubj), "ubj", TestModels.trainedMetadata(), Map.of())
            .version;
    float[] m = TestModels.matrix(rows);
    try (LoadedModel fromJson = LoadedModel.load(new ModelKey(root, "files", vJson), null);
        LoadedModel fromUbj = LoadedModel.load(new ModelKey(root, "files", vUbj), null)) {
      assertEquals("ubj", fromUbj.metadata().modelFormat);
      float[] a = fromJson.predict(m, rows.size());
      float[] b = fromUbj.predict(m, rows.size());
      for (int i = 0; i < rows.size(); i++) {
        assertEquals(reference[i], a[i], 1e-6f);
        assertEquals(a[i], b[i], 0f);
      }
    }
  }

  @Test
  public void predictReadsOnlyTheRowsAskedForFromALargerBuffer() throws Exception {
    String version = TestModels.register(root, "buffer", booster, "ubj");
    try (LoadedModel model = LoadedModel.load(new ModelKey(root, "buffer", version), null)) {
      float[] buffer = new float[512 * model.width()];
      float[] m = TestModels.matrix(rows);
      System.arraycopy(m, 0, buffer, 0, 7 * model.width());
      java.util.Arrays.fill(buffer, 7 * model.width(), buffer.length, 1e6f);
      float[] scores = model.predict(buffer, 7);
      assertEquals(7, scores.length);
      for (int i = 0; i < 7; i++) {
        assertEquals(reference[i], scores[i], 1e-6f);
      }
      assertThrows(IllegalArgumentException.class, () -> model.predict(buffer, 513));
    }
  }

  @Test
  public void tamperedModelIsRefusedBeforeItIsParsed() throws Exception {
    String version = TestModels.register(root, "tampered", booster, "json");
    Path file = Path.of(root, "tampered", "versions", version, "model.json");
    String text = Files.readString(file);
    Files.writeString(
        file, text.replaceFirst("\"base_score\":\"[^\"]*\"", "\"base_score\":\"9E-1\""));
    ModelIntegrityException e =
        assertThrows(
            ModelIntegrityException.class,
            () -> LoadedModel.load(new ModelKey(root, "tampered", version), null));
    assertThat(e.getMessage(), containsString("tampered/versions/" + version + "/model.json"));
    assertThat(e.getMessage(), containsString("refusing to load"));
  }

  @Test
  public void contributionsPlusBiasSumToTheMargin() throws Exception {
    String version = TestModels.register(root, "shap", booster, "json");
    try (LoadedModel model = LoadedModel.load(new ModelKey(root, "shap", version), null)) {
      int n = 50;
      float[] scores = model.predict(TestModels.matrix(rows), n);
      float[][] contributions = model.contributions(TestModels.matrix(rows), n);
      assertEquals(n, contributions.length);
      for (int i = 0; i < n; i++) {
        assertEquals(model.width() + 1, contributions[i].length);
        double sum = 0;
        for (float c : contributions[i]) {
          sum += c;
        }
        assertEquals(Math.log(scores[i] / (1.0 - scores[i])), sum, 1e-4);
      }
    }
  }

  @Test
  public void importedModelNeedsAPipelineSpecWithTheSameFeatureNames() throws Exception {
    ModelMetadata imported = new ModelMetadata();
    imported.featureNames = new ArrayList<>(TestModels.SPEC.featureNames());
    imported.origin = "imported";
    String version =
        ModelRegistry.at(root)
            .register("imported", booster.toByteArray("json"), "json", imported, Map.of())
            .version;
    ModelKey key = new ModelKey(root, "imported", version);

    IllegalArgumentException noSpec =
        assertThrows(IllegalArgumentException.class, () -> LoadedModel.load(key, null));
    assertThat(noSpec.getMessage(), containsString("imported without a feature spec"));

    List<FeatureDefinition> renamed = new ArrayList<>(TestModels.SPEC.features());
    FeatureDefinition age = renamed.get(7);
    renamed.set(
        7,
        new FeatureDefinition(
            "age_years", age.kind(), null, null, null, age.field(), null, null, null));
    FeatureSpec other = new FeatureSpec("other", 1, renamed);
    IllegalArgumentException wrongNames =
        assertThrows(IllegalArgumentException.class, () -> LoadedModel.load(key, other));
    assertThat(wrongNames.getMessage(), containsString("age_years"));

    try (LoadedModel model = LoadedModel.load(key, TestModels.SPEC)) {
      assertEquals(TestModels.SPEC.fingerprint(), model.specFingerprint());
      float[] scores = model.predict(TestModels.matrix(rows), rows.size());
      assertEquals(reference[3], scores[3], 1e-6f);
    }
  }

  @Test
  public void cacheLoadsOncePerJvmSharesAcrossThreadsAndFreesAfterTheLastUser() throws Exception {
    String version = TestModels.register(root, "cached", booster, "json");
    ModelKey key = new ModelKey(root, "cached", version);
    long loadsBefore = ModelCache.loads();
    int sizeBefore = ModelCache.size();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<ModelCache.Lease>> leases = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        leases.add(pool.submit(() -> ModelCache.acquire(key, null)));
      }
      LoadedModel first = leases.get(0).get().model();
      int loadedHere = 0;
      float[] m = TestModels.matrix(rows);
      List<Future<float[]>> scored = new ArrayList<>();
      for (Future<ModelCache.Lease> lease : leases) {
        assertSame(first, lease.get().model());
        loadedHere += lease.get().loadedByThisLease() ? 1 : 0;
        scored.add(pool.submit(() -> lease.get().model().predict(m, rows.size())));
      }
      for (Future<float[]> s : scored) {
        assertEquals(reference[10], s.get()[10], 1e-6f);
      }
      assertEquals(1, loadedHere);
      assertEquals(loadsBefore + 1, ModelCache.loads());
      assertEquals(sizeBefore + 1, ModelCache.size());
      for (Future<ModelCache.Lease> lease : leases) {
        lease.get().close();
        lease.get().close();
      }
      assertEquals(sizeBefore, ModelCache.size());

      try (ModelCache.Lease again = ModelCache.acquire(key, null)) {
        assertTrue(again.loadedByThisLease());
        assertEquals(loadsBefore + 2, ModelCache.loads());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  public void cacheDoesNotKeepAFailedLoad() throws Exception {
    String version = TestModels.register(root, "broken", booster, "json");
    Path file = Path.of(root, "broken", "versions", version, "model.json");
    byte[] good = Files.readAllBytes(file);
    Files.write(file, new byte[] {'{', '}'});
    ModelKey key = new ModelKey(root, "broken", version);
    int sizeBefore = ModelCache.size();
    assertThrows(ModelIntegrityException.class, () -> ModelCache.acquire(key, null));
    assertEquals(sizeBefore, ModelCache.size());
    Files.write(file, good);
    try (ModelCache.Lease lease = ModelCache.acquire(key, null)) {
      assertEquals(reference[0], lease.model().predict(TestModels.matrix(rows), 1)[0], 1e-6f);
    }
  }
}
