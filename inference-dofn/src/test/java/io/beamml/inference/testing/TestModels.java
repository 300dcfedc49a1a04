package io.beamml.inference.testing;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.transforms.features.FeatureDefinition;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.features.FeatureVectorizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

/**
 * Synthetic feature rows under the default spec and small XGBoost models trained on them and
 * registered as the trainer would: the fixtures of every module's scoring tests (and of the
 * benchmarks' workload), shared through this module's test-jar so no module keeps its own copy.
 */
public final class TestModels {

  public static final FeatureSpec SPEC = FeatureSpec.defaultSpec();
  public static final long BASE_TIME = 1_700_000_000_000L;

  private TestModels() {}

  /**
   * Rows with plausible values, some missing; customer keys are 16 hex digits, as pseudonymised.
   */
  public static List<FeatureRow> rows(int n, long seed) {
    Random random = new Random(seed);
    List<FeatureRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] key = new byte[8];
      random.nextBytes(key);
      rows.add(
          new FeatureRow(
              "e" + seed + "-" + i,
              HexFormat.of().formatHex(key),
              BASE_TIME + i * 1_000L,
              "view",
              SPEC.fingerprint(),
              values(random)));
    }
    return rows;
  }

  private static List<FeatureValue> values(Random random) {
    List<FeatureValue> values = new ArrayList<>();
    for (FeatureDefinition f : SPEC.features()) {
      if (f.categories() != null) {
        String text =
            random.nextInt(10) == 0
                ? null
                : f.categories().get(random.nextInt(f.categories().size()));
        values.add(new FeatureValue(f.name(), null, text));
      } else if (random.nextInt(20) == 0) {
        values.add(new FeatureValue(f.name(), null, null));
      } else {
        double number =
            switch (f.name()) {
              case "spend_7d" -> Math.round(random.nextDouble() * 50_000) / 100.0;
              case "age" -> 18 + random.nextInt(60);
              case "tenure_days" -> random.nextInt(2_000);
              default -> random.nextInt(f.name().endsWith("1d") ? 4 : 15);
            };
        values.add(new FeatureValue(f.name(), number, null));
      }
    }
    return values;
  }

  public static float[] matrix(List<FeatureRow> rows) {
    FeatureVectorizer vectorizer = new FeatureVectorizer(SPEC);
    float[] m = new float[rows.size() * vectorizer.width()];
    for (int i = 0; i < rows.size(); i++) {
      vectorizer.fill(rows.get(i).getFeatures(), m, i * vectorizer.width());
    }
    return m;
  }

  /** A label the features explain, with noise, so trees have something to learn. */
  private static float[] labels(float[] m, int nrow, int width, Random random) {
    float[] y = new float[nrow];
    for (int i = 0; i < nrow; i++) {
      int o = i * width;
      double signal =
          nz(m[o + 1]) * 0.3
              + nz(m[o + 2]) * 0.5
              + nz(m[o + 4]) / 200
              - nz(m[o + 0]) * 0.1
              + random.nextGaussian();
      y[i] = signal > 2.0 ? 1f : 0f;
    }
    return y;
  }

  private static double nz(float v) {
    return Float.isNaN(v) ? 0 : v;
  }

  public static Booster train(List<FeatureRow> rows, int rounds, int depth) throws Exception {
    int width = SPEC.featureNames().size();
    float[] m = matrix(rows);
    DMatrix train = new DMatrix(m, rows.size(), width, Float.NaN);
    try {
      train.setLabel(labels(m, rows.size(), width, new Random(7)));
      Map<String, Object> params = new HashMap<>();
      params.put("objective", "binary:logistic");
      params.put("max_depth", depth);
      params.put("eta", 0.3);
      params.put("nthread", 1);
      params.put("seed", 1);
      return XGBoost.train(train, params, rounds, new HashMap<>(), null, null);
    } finally {
      train.dispose();
    }
  }

  /** Metadata as the trainer writes it: feature names, spec fingerprint and the spec itself. */
  public static ModelMetadata trainedMetadata() {
    ModelMetadata metadata = new ModelMetadata();
    metadata.featureNames = new ArrayList<>(SPEC.featureNames());
    metadata.specFingerprint = SPEC.fingerprint();
    metadata.featureSpec = SPEC.toCanonicalJson();
    metadata.origin = "trained";
    return metadata;
  }

  /** Registers the booster as a new version; returns the version id. */
  public static String register(String root, String name, Booster booster, String format)
      throws Exception {
    return ModelRegistry.at(root)
        .register(name, booster.toByteArray(format), format, trainedMetadata(), Map.of())
        .version;
  }

  /**
   * Trains on random rows of the default spec's width (label from the columns named in {@code
   * signalColumns} summed above {@code threshold}) and registers it as promo:1@champion.
   */
  public static void registerChampion(
      String registry,
      long seed,
      int rows,
      int depth,
      int rounds,
      int[] signalColumns,
      float threshold)
      throws Exception {
    int width = SPEC.featureNames().size();
    Random random = new Random(seed);
    float[] data = new float[rows * width];
    float[] labels = new float[rows];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < width; c++) {
        data[r * width + c] = random.nextInt(6);
      }
      float signal = 0;
      for (int c : signalColumns) {
        signal += data[r * width + c];
      }
      labels[r] = signal > threshold ? 1f : 0f;
    }
    DMatrix matrix = new DMatrix(data, rows, width, Float.NaN);
    matrix.setLabel(labels);
    Booster booster =
        XGBoost.train(
            matrix,
            Map.of("objective", "binary:logistic", "max_depth", depth, "eta", 0.3, "nthread", 1),
            rounds,
            new HashMap<>(),
            null,
            null);
    try {
      ModelRegistry models = ModelRegistry.at(registry);
      String version = register(registry, "promo", booster, "json");
      models.moveAlias("promo", "champion", version, false, "test");
    } finally {
      booster.dispose();
      matrix.dispose();
    }
  }

  /** XGBoost's own scores for rows, through a DMatrix: the reference the DoFn must match. */
  public static float[] reference(Booster booster, List<FeatureRow> rows) throws Exception {
    DMatrix matrix = new DMatrix(matrix(rows), rows.size(), SPEC.featureNames().size(), Float.NaN);
    try {
      float[][] out = booster.predict(matrix);
      float[] scores = new float[rows.size()];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = out[i][0];
      }
      return scores;
    } finally {
      matrix.dispose();
    }
  }
}
