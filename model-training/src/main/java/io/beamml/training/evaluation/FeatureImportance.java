package io.beamml.training.evaluation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;

/** A feature and its total gain over all splits that use it (0 for features never split on). */
public final class FeatureImportance {

  private final String feature;
  private final double gain;

  public FeatureImportance(String feature, double gain) {
    this.feature = feature;
    this.gain = gain;
  }

  /** Total gain per feature, largest first; every named feature appears. */
  public static List<FeatureImportance> totalGain(Booster booster, List<String> featureNames) {
    Map<String, Double> scores;
    try {
      scores = booster.getScore(featureNames.toArray(new String[0]), "total_gain");
    } catch (XGBoostError e) {
      throw new IllegalStateException("cannot read feature importance: " + e.getMessage(), e);
    }
    List<FeatureImportance> all = new ArrayList<>();
    for (String name : featureNames) {
      all.add(new FeatureImportance(name, scores.getOrDefault(name, 0.0)));
    }
    all.sort(
        Comparator.comparingDouble(FeatureImportance::gain)
            .reversed()
            .thenComparing(FeatureImportance::feature));
    return all;
  }

  public String feature() {
    return feature;
  }

  public double gain() {
    return gain;
  }
}
