package io.beamml.training.evaluation;

import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * Area under the ROC curve as the Mann-Whitney U statistic: the probability that a random positive
 * scores above a random negative, ties counting one half (average ranks).
 */
public final class Auc {

  private static final NaturalRanking RANKING =
      new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE);

  private Auc() {}

  public static double of(float[] scores, float[] labels) {
    double[] s = new double[scores.length];
    for (int i = 0; i < scores.length; i++) {
      s[i] = scores[i];
    }
    return of(s, labels);
  }

  public static double of(double[] scores, float[] labels) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(
          scores.length + " scores for " + labels.length + " labels");
    }
    for (double v : scores) {
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException(
            "a score is NaN: the scorer produced no probability for some row");
      }
    }
    double[] ranks = RANKING.rank(scores);
    double positiveRankSum = 0;
    long positives = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] > 0.5f) {
        positiveRankSum += ranks[i];
        positives++;
      }
    }
    long negatives = labels.length - positives;
    if (positives == 0 || negatives == 0) {
      throw new IllegalArgumentException(
          "AUC needs both classes, got "
              + positives
              + " positives and "
              + negatives
              + " negatives");
    }
    double u = positiveRankSum - positives * (positives + 1) / 2.0;
    return u / ((double) positives * negatives);
  }
}
