package io.beamml.benchmarks;

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
 * The benchmark's workload, made here so nothing is downloaded: feature rows under the default spec
 * and a production-sized model (300 rounds, depth 6) trained on them.
 */
final class BenchmarkData {

  static final FeatureSpec SPEC = FeatureSpec.defaultSpec();
  static final String MODEL_NAME = "bench";
  static final int ROUNDS = 300;
  static final int DEPTH = 6;

  private BenchmarkData() {}

  /** Deterministic rows: the same seed gives the same rows in every JVM (JMH forks). */
  static List<FeatureRow> rows(int n, long seed) {
    Random random = new Random(seed);
    List<FeatureRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] key = new byte[16];
      random.nextBytes(key);
      List<FeatureValue> values = new ArrayList<>(SPEC.features().size());
      for (FeatureDefinition f : SPEC.features()) {
        if (f.categories() != null) {
          values.add(
              new FeatureValue(
                  f.name(), null, f.categories().get(random.nextInt(f.categories().size()))));
        } else if (random.nextInt(25) == 0) {
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
      rows.add(
          new FeatureRow(
              "e" + i,
              HexFormat.of().formatHex(key),
              1_700_000_000_000L + i,
              "view",
              SPEC.fingerprint(),
              values));
    }
    return rows;
  }

  static float[] matrix(List<FeatureRow> rows) {
    FeatureVectorizer vectorizer = new FeatureVectorizer(SPEC);
    float[] m = new float[rows.size() * vectorizer.width()];
    for (int i = 0; i < rows.size(); i++) {
      vectorizer.fill(rows.get(i).getFeatures(), m, i * vectorizer.width());
    }
    return m;
  }

  /** Trains the model on the rows and registers it; returns the registry root. */
  static String trainAndRegister(String registryRoot, List<FeatureRow> rows) throws Exception {
    int width = SPEC.featureNames().size();
    float[] m = matrix(rows);
    float[] labels = new float[rows.size()];
    Random noise = new Random(3);
    for (int i = 0; i < rows.size(); i++) {
      int o = i * width;
      double signal =
          nz(m[o + 1]) * 0.3
              + nz(m[o + 2]) * 0.5
              + nz(m[o + 4]) / 200
              - nz(m[o]) * 0.1
              + nz(m[o + 7]) / 40
              + noise.nextGaussian();
      labels[i] = signal > 2.5 ? 1f : 0f;
    }
    DMatrix train = new DMatrix(m, rows.size(), width, Float.NaN);
    Booster booster;
    try {
      train.setLabel(labels);
      Map<String, Object> params = new HashMap<>();
      params.put("objective", "binary:logistic");
      params.put("max_depth", DEPTH);
      params.put("eta", 0.1);
      params.put("seed", 1);
      booster = XGBoost.train(train, params, ROUNDS, new HashMap<>(), null, null);
    } finally {
      train.dispose();
    }
    try {
      ModelMetadata metadata = new ModelMetadata();
      metadata.featureNames = new ArrayList<>(SPEC.featureNames());
      metadata.specFingerprint = SPEC.fingerprint();
      metadata.featureSpec = SPEC.toCanonicalJson();
      metadata.origin = "trained";
      metadata.params = new HashMap<>(Map.of("rounds", ROUNDS, "max_depth", DEPTH));
      ModelRegistry.at(registryRoot)
          .register(MODEL_NAME, booster.toByteArray("ubj"), "ubj", metadata, Map.of());
      return registryRoot;
    } finally {
      booster.dispose();
    }
  }

  private static double nz(float v) {
    return Float.isNaN(v) ? 0 : v;
  }
}
