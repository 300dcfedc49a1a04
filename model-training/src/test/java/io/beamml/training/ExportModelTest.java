package io.beamml.training;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.card.ModelCard;
import io.beamml.training.data.SplitRows;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.training.interop.XgboostModelFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A model trained here, exported for older XGBoost readers and scored again by them. */
public class ExportModelTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();

  private static String root;
  private static ModelMetadata trained;
  private static SplitRows test;

  @BeforeClass
  public static void train() throws Exception {
    Path set = SyntheticData.generate(1500, 1.0, 51).write(tmp.newFolder("set").toPath(), 1);
    root = tmp.newFolder("registry").toString();
    trained =
        TrainModel.run(
                PipelineOptionsFactory.fromArgs(
                        "--registry=" + root, "--trainingSet=" + set, "--modelName=promo")
                    .as(TrainOptions.class))
            .metadata();
    test = TrainingSetReader.of(set.toString()).read().test();
  }

  private static Path export(String format) throws Exception {
    Path out =
        tmp.getRoot().toPath().resolve("export-" + format + "-" + System.nanoTime() + ".json");
    ExportModel.run(
        PipelineOptionsFactory.fromArgs(
                "--registry=" + root,
                "--model=promo:" + trained.version,
                "--format=" + format,
                "--output=" + out)
            .as(ExportOptions.class));
    return out;
  }

  private static String baseScore(byte[] json) throws Exception {
    return JSON.readTree(json)
        .path("learner")
        .path("learner_model_param")
        .path("base_score")
        .asText();
  }

  private static float[] scores(byte[] model) throws Exception {
    Booster b = XGBoost.loadModel(model);
    try {
      float[][] p = b.inplace_predict(test.features(), test.rows(), test.columns(), Float.NaN);
      float[] out = new float[p.length];
      for (int i = 0; i < p.length; i++) {
        out[i] = p[i][0];
      }
      return out;
    } finally {
      b.dispose();
    }
  }

  @Test
  public void metadataAndCardRecordTheXgboostVersionAndItsReaders() {
    ModelMetadata m = ModelRegistry.at(root).metadata("promo", trained.version);
    assertEquals("3.4.0", m.xgboostVersion);
    String card =
        new String(
            ModelRegistry.at(root).readAttachment("promo", trained.version, ModelCard.HTML),
            StandardCharsets.UTF_8);
    assertThat(
        card,
        containsString(
            "<th>XGBoost version</th><td>3.4.0 (XGBoost 3.1 and later read the stored file as is"));
    assertThat(card, containsString("export-model --format=legacy-json"));
  }

  @Test
  public void legacyJsonHasAScalarBaseScoreAndScoresIdenticallyInXgboost4j() throws Exception {
    byte[] stored = ModelRegistry.at(root).readVerifiedModel(trained);
    String vector = baseScore(stored);
    assertTrue(vector, vector.matches("\\[[^,]+\\]"));
    byte[] exported = Files.readAllBytes(export("legacy-json"));
    assertEquals(vector.substring(1, vector.length() - 1), baseScore(exported));

    float[] original = scores(stored);
    float[] again = scores(exported);
    for (int i = 0; i < original.length; i++) {
      assertEquals("row " + i, original[i], again[i], 1e-6);
    }
  }

  @Test
  public void ubjExportKeepsTheWriterVersionReadable() throws Exception {
    byte[] ubj = Files.readAllBytes(export("ubj"));
    assertEquals("3.4.0", XgboostModelFile.writerVersion(ubj, "ubj"));
  }

  /**
   * Python xgboost 1.7 (Debian's python3-xgboost) reads the stored model with base_score 0.5 and
   * the legacy-json export as trained. Skips where no python3 with xgboost is installed.
   */
  @Test
  public void pythonXgboost17ScoresTheExportIdentically() throws Exception {
    String python = pythonWithXgboost();
    Assume.assumeTrue(
        "skipped: no python3 with the xgboost module (apt-get install python3-xgboost gives 1.7)",
        python != null);
    Path dir = tmp.newFolder("python").toPath();
    StringBuilder csv = new StringBuilder();
    for (int r = 0; r < test.rows(); r++) {
      for (int c = 0; c < test.columns(); c++) {
        float v = test.features()[r * test.columns() + c];
        csv.append(c == 0 ? "" : ",").append(Float.isNaN(v) ? "nan" : Float.toString(v));
      }
      csv.append('\n');
    }
    Files.writeString(dir.resolve("x.csv"), csv);
    Path stored = dir.resolve("stored.json");
    Files.write(stored, ModelRegistry.at(root).readVerifiedModel(trained));
    Path exported = export("legacy-json");
    Files.writeString(
        dir.resolve("score.py"),
        String.join(
            "\n",
            "import sys, numpy as np, xgboost as xgb",
            "print('version', xgb.__version__)",
            "x = np.genfromtxt(sys.argv[1], delimiter=',')",
            "for path in sys.argv[2:]:",
            "    b = xgb.Booster()",
            "    b.load_model(path)",
            "    d = xgb.DMatrix(x, missing=np.nan, feature_names=b.feature_names)",
            "    print('scores', ' '.join(repr(float(p)) for p in b.predict(d)))",
            ""));
    List<String> lines =
        run(
            python,
            dir.resolve("score.py").toString(),
            dir.resolve("x.csv").toString(),
            stored.toString(),
            exported.toString());
    assertThat(lines.get(0), startsWith("version "));
    String version = lines.get(0).substring("version ".length()).trim();
    Assume.assumeTrue(
        "skipped: "
            + python
            + " has xgboost "
            + version
            + ", which reads the stored model as is; the test needs one before 3.1",
        XgboostModelFile.readableByOlderReaders(version.replaceAll("[^0-9.].*", "")));
    float[] java = scores(ModelRegistry.at(root).readVerifiedModel(trained));
    double storedDiff = maxDiff(java, lines.get(1));
    double exportedDiff = maxDiff(java, lines.get(2));
    System.out.printf(
        Locale.ROOT,
        "Python xgboost %s on %d test rows: stored model off by up to %.4f, legacy-json export by %.3g%n",
        version,
        java.length,
        storedDiff,
        exportedDiff);
    assertTrue(
        String.format(
            Locale.ROOT, "xgboost %s misreads the stored model by only %.3g", version, storedDiff),
        storedDiff > 0.01);
    assertTrue(
        String.format(Locale.ROOT, "xgboost %s scores the export %.3g away", version, exportedDiff),
        exportedDiff <= 1e-6);
  }

  private static double maxDiff(float[] java, String line) {
    String[] p = line.substring("scores ".length()).trim().split(" ");
    assertEquals(java.length, p.length);
    double max = 0;
    for (int i = 0; i < p.length; i++) {
      max = Math.max(max, Math.abs(java[i] - Double.parseDouble(p[i])));
    }
    return max;
  }

  static String pythonWithXgboost() {
    for (String candidate : List.of("python3", "/usr/bin/python3")) {
      try {
        Process p =
            new ProcessBuilder(candidate, "-c", "import xgboost").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return candidate;
        }
      } catch (Exception e) {
        // not this one
      }
    }
    return null;
  }

  private static List<String> run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(out, 0, p.exitValue());
    List<String> lines = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("version ") || line.startsWith("scores ")) {
        lines.add(line);
      }
    }
    return lines;
  }
}
