package io.beamml.pipelines;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.transforms.features.FeatureSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

/**
 * A small XGBoost model on the default spec, registered as {@code promo@champion}, for scoring
 * tests.
 */
public final class TestModels {

  private TestModels() {}

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
    FeatureSpec spec = FeatureSpec.defaultSpec();
    int width = spec.featureNames().size();
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
      ModelMetadata template = new ModelMetadata();
      template.featureNames = spec.featureNames();
      template.specFingerprint = spec.fingerprint();
      template.featureSpec = spec.toCanonicalJson();
      ModelRegistry models = ModelRegistry.at(registry);
      ModelMetadata registered =
          models.register("promo", booster.toByteArray("json"), "json", template, Map.of());
      models.moveAlias("promo", "champion", registered.version, false, "test");
    } finally {
      booster.dispose();
      matrix.dispose();
    }
  }
}
