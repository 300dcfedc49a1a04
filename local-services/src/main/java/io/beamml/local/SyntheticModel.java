package io.beamml.local;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.transforms.features.FeatureSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * An XGBoost model of the trainer's shape (the spec's features, binary logistic) fitted in a second
 * to random rows with a label the 7-day counts explain: for benchmarks and tests, where the cost
 * and the plumbing of scoring matter and the model's quality does not. Like a trained version it
 * carries the training reference ({@value ReferenceProfile#FILE}) the stream's drift check reads.
 */
public final class SyntheticModel {

  private SyntheticModel() {}

  /**
   * Trains with {@code seed} ({@code rounds} trees of depth {@code depth}; different seeds score
   * the same row differently) and registers the model as a new version of {@code name}; returns the
   * version.
   */
  public static String register(
      String registry, String name, FeatureSpec spec, long seed, int rounds, int depth) {
    int width = spec.featureNames().size();
    int rows = 1000;
    Random random = new Random(seed);
    float[] m = new float[rows * width];
    float[] y = new float[rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < width; j++) {
        m[i * width + j] = random.nextInt(10) == 0 ? Float.NaN : random.nextInt(j < 7 ? 12 : 60);
      }
      double signal =
          nz(m[i * width]) * 0.2
              + nz(m[i * width + 1]) * 0.4
              + random.nextGaussian() * (1 + seed % 3);
      y[i] = signal > 2.5 ? 1f : 0f;
    }
    Booster booster = null;
    DMatrix train = null;
    try {
      train = new DMatrix(m, rows, width, Float.NaN);
      train.setLabel(y);
      Map<String, Object> params = new HashMap<>();
      params.put("objective", "binary:logistic");
      params.put("max_depth", depth);
      params.put("eta", 0.1);
      params.put("nthread", 1);
      params.put("seed", (int) seed);
      booster =
          ml.dmlc.xgboost4j.java.XGBoost.train(train, params, rounds, new HashMap<>(), null, null);
      ModelMetadata metadata = new ModelMetadata();
      metadata.featureNames = new ArrayList<>(spec.featureNames());
      metadata.specFingerprint = spec.fingerprint();
      metadata.featureSpec = spec.toCanonicalJson();
      metadata.origin = "trained";
      metadata.params = new HashMap<>(params);
      // The training reference the trainer stores beside a version, so the stream can watch drift.
      String[] rowKeys = new String[rows];
      for (int i = 0; i < rows; i++) {
        rowKeys[i] = "row-" + i;
      }
      ReferenceProfile reference =
          ReferenceProfile.fromRows(
              spec,
              m,
              rows,
              rowKeys,
              ReferenceProfile.DEFAULT_BINS,
              ReferenceProfile.DEFAULT_SAMPLE_SIZE);
      return ModelRegistry.at(registry)
          .register(
              name,
              booster.toByteArray("json"),
              "json",
              metadata,
              Map.of(ReferenceProfile.FILE, reference.toJson()))
          .version;
    } catch (XGBoostError e) {
      throw new IllegalStateException("could not train the synthetic model: " + e.getMessage(), e);
    } finally {
      if (booster != null) {
        booster.dispose();
      }
      if (train != null) {
        train.dispose();
      }
    }
  }

  /** Registers a model and points {@code alias} at it; returns its version. */
  public static String registerAs(
      String registry,
      String name,
      String alias,
      FeatureSpec spec,
      long seed,
      int rounds,
      int depth) {
    String version = register(registry, name, spec, seed, rounds, depth);
    ModelRegistry.at(registry).moveAlias(name, alias, version, true, "synthetic model");
    return version;
  }

  private static double nz(float v) {
    return Float.isNaN(v) ? 0 : v;
  }
}
