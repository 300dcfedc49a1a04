package io.beamml.training.quality;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The measured quality of one day of one model version and variant, with the histogram it was
 * computed from (so rows can be merged again, e.g. over the days two variants share) and the
 * version's own test AUC when the registry holds one. A row with fewer positives than the run's
 * minimum, or without both classes, is measured but not {@link #alarmable}.
 */
public record QualityRow(
    QualityKey key,
    QualityMetrics metrics,
    ScoreHistogram histogram,
    long minPositives,
    @Nullable Double testAuc)
    implements Serializable {

  public static QualityRow of(
      QualityKey key, ScoreHistogram histogram, long minPositives, @Nullable Double testAuc) {
    return new QualityRow(key, QualityMetrics.of(histogram), histogram, minPositives, testAuc);
  }

  /** Enough positives (and both classes) for the live AUC to be compared with the test AUC. */
  public boolean alarmable() {
    return metrics.auc() != null && metrics.positives() >= minPositives;
  }

  /**
   * Whether the live AUC is below the test AUC minus {@code tolerance}; false when not comparable.
   */
  public boolean belowTest(double tolerance) {
    return alarmable() && testAuc != null && metrics.auc() < testAuc - tolerance;
  }

  public ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode n = mapper.createObjectNode();
    n.put("day", key.day());
    n.put("model_name", key.modelName());
    n.put("model_version", key.modelVersion());
    n.put("variant", key.variant());
    n.put("rows", metrics.rows());
    n.put("positives", metrics.positives());
    n.put("base_rate", metrics.baseRate());
    n.put("mean_score", metrics.meanScore());
    putNullable(n, "auc", metrics.auc());
    putNullable(
        n,
        "auc_std_error",
        metrics.aucVariance() == null ? null : Math.sqrt(metrics.aucVariance()));
    n.put("log_loss", metrics.logLoss());
    n.put("brier", metrics.brier());
    n.put("ece", metrics.ece());
    putNullable(n, "test_auc", testAuc);
    n.put("alarmable", alarmable());
    n.put("distinct_scores", histogram.distinctScores());
    ArrayNode bins = n.putArray("calibration");
    for (int b = 0; b < QualityMetrics.CALIBRATION_BINS; b++) {
      ObjectNode bin = bins.addObject();
      bin.put("lower", (double) b / QualityMetrics.CALIBRATION_BINS);
      bin.put("upper", (double) (b + 1) / QualityMetrics.CALIBRATION_BINS);
      bin.put("rows", metrics.binRows()[b]);
      putNullable(bin, "mean_score", metrics.binRows()[b] == 0 ? null : metrics.binMeanScore()[b]);
      putNullable(
          bin, "observed_rate", metrics.binRows()[b] == 0 ? null : metrics.binObservedRate()[b]);
    }
    return n;
  }

  static void putNullable(ObjectNode n, String field, @Nullable Double value) {
    if (value == null) {
      n.putNull(field);
    } else {
      n.put(field, value);
    }
  }
}
