package io.beamml.benchmarks;

import io.beamml.inference.testing.TestModels;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.features.FeatureSpec;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;

/**
 * The benchmark's workload, made here so nothing is downloaded: the scoring tests' feature rows
 * under the default spec ({@link TestModels}) and a production-sized model (300 rounds, depth 6)
 * trained on them.
 */
final class BenchmarkData {

  static final FeatureSpec SPEC = TestModels.SPEC;
  static final String MODEL_NAME = "bench";
  static final int ROUNDS = 300;
  static final int DEPTH = 6;

  private BenchmarkData() {}

  /** Deterministic rows: the same seed gives the same rows in every JVM (JMH forks). */
  static List<FeatureRow> rows(int n, long seed) {
    return TestModels.rows(n, seed);
  }

  static float[] matrix(List<FeatureRow> rows) {
    return TestModels.matrix(rows);
  }

  /** Trains the model on the rows and registers it; returns the registry root. */
  static String trainAndRegister(String registryRoot, List<FeatureRow> rows) throws Exception {
    Booster booster = TestModels.train(rows, ROUNDS, DEPTH);
    try {
      TestModels.register(registryRoot, MODEL_NAME, booster, "ubj");
      return registryRoot;
    } finally {
      booster.dispose();
    }
  }
}
