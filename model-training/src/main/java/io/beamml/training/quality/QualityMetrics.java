package io.beamml.training.quality;

import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The quality of one set of labelled scores, computed from its {@link ScoreHistogram} in score
 * order: AUC as the Mann-Whitney statistic (ties count one half) with DeLong's variance, log loss
 * (probabilities clipped to [1e-15, 1 - 1e-15], as in training's evaluation), Brier score and the
 * expected calibration error over {@value #CALIBRATION_BINS} equal-width bins. AUC and its variance
 * are null when a class is missing (the variance also with a single row of a class).
 */
public record QualityMetrics(
    long rows,
    long positives,
    double baseRate,
    double meanScore,
    @Nullable Double auc,
    @Nullable Double aucVariance,
    double logLoss,
    double brier,
    double ece,
    long[] binRows,
    double[] binMeanScore,
    double[] binObservedRate)
    implements Serializable {

  public static final int CALIBRATION_BINS = 10;
  private static final double EPSILON = 1e-15;

  public static QualityMetrics of(ScoreHistogram h) {
    double[] scores = h.scores();
    long rows = h.rows();
    long positives = h.positives();
    long negatives = rows - positives;
    if (rows == 0) {
      throw new IllegalArgumentException("no rows to measure");
    }
    double scoreSum = 0;
    double logLossSum = 0;
    double brierSum = 0;
    long[] binRows = new long[CALIBRATION_BINS];
    double[] binScore = new double[CALIBRATION_BINS];
    long[] binPositives = new long[CALIBRATION_BINS];
    // Twice the Mann-Whitney U, a whole number: pairs ranked right count 2, ties 1.
    long twiceU = 0;
    long negativesBelow = 0;
    for (double s : scores) {
      long neg = h.negativesAt(s);
      long pos = h.positivesAt(s);
      long n = neg + pos;
      scoreSum += n * s;
      double p = Math.min(Math.max(s, EPSILON), 1 - EPSILON);
      logLossSum -= pos * Math.log(p) + neg * Math.log(1 - p);
      brierSum += pos * (1 - s) * (1 - s) + neg * s * s;
      int bin = Math.min((int) (s * CALIBRATION_BINS), CALIBRATION_BINS - 1);
      binRows[bin] += n;
      binScore[bin] += n * s;
      binPositives[bin] += pos;
      twiceU += pos * (2 * negativesBelow + neg);
      negativesBelow += neg;
    }
    double ece = 0;
    double[] binMean = new double[CALIBRATION_BINS];
    double[] binObserved = new double[CALIBRATION_BINS];
    for (int b = 0; b < CALIBRATION_BINS; b++) {
      if (binRows[b] == 0) {
        binMean[b] = Double.NaN;
        binObserved[b] = Double.NaN;
        continue;
      }
      binMean[b] = binScore[b] / binRows[b];
      binObserved[b] = (double) binPositives[b] / binRows[b];
      ece += (double) binRows[b] / rows * Math.abs(binMean[b] - binObserved[b]);
    }
    Double auc = null;
    Double variance = null;
    if (positives > 0 && negatives > 0) {
      double a = twiceU / (2.0 * positives * negatives);
      auc = a;
      if (positives > 1 && negatives > 1) {
        variance = delongVariance(h, scores, positives, negatives, a);
      }
    }
    return new QualityMetrics(
        rows,
        positives,
        (double) positives / rows,
        scoreSum / rows,
        auc,
        variance,
        logLossSum / rows,
        brierSum / rows,
        ece,
        binRows,
        binMean,
        binObserved);
  }

  /**
   * DeLong, DeLong and Clarke-Pearson (1988): each positive's share of negatives it outranks and
   * each negative's share of positives that outrank it (ties one half) are the structural
   * components; the AUC's variance is the sum of their sample variances over their counts.
   */
  private static double delongVariance(
      ScoreHistogram h, double[] scores, long positives, long negatives, double auc) {
    long negativesBelow = 0;
    long positivesBelow = 0;
    double s10 = 0;
    double s01 = 0;
    for (double s : scores) {
      long neg = h.negativesAt(s);
      long pos = h.positivesAt(s);
      long positivesAbove = positives - positivesBelow - pos;
      double v10 = (negativesBelow + 0.5 * neg) / negatives;
      double v01 = (positivesAbove + 0.5 * pos) / positives;
      s10 += pos * (v10 - auc) * (v10 - auc);
      s01 += neg * (v01 - auc) * (v01 - auc);
      negativesBelow += neg;
      positivesBelow += pos;
    }
    return s10 / (positives - 1) / positives + s01 / (negatives - 1) / negatives;
  }
}
