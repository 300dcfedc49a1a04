package io.beamml.training.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How good a set of predicted probabilities is against 0/1 labels: ranking (AUC, ROC), accuracy of
 * the probabilities themselves (log loss, calibration) and the trivial baseline of predicting the
 * base rate for everyone. Takes plain scores, so any scorer can be measured.
 */
public final class Evaluation {

  public static final int CALIBRATION_BINS = 10;
  private static final double EPSILON = 1e-15;

  private final float[] scores;
  private final float[] labels;
  private final long positives;
  private final double auc;
  private final double logLoss;
  private final List<CalibrationBin> calibration;
  private final List<RocPoint> roc;
  private final @Nullable OracleAuc oracle;

  private Evaluation(
      float[] scores,
      float[] labels,
      long positives,
      double auc,
      double logLoss,
      List<CalibrationBin> calibration,
      List<RocPoint> roc,
      @Nullable OracleAuc oracle) {
    this.scores = scores;
    this.labels = labels;
    this.positives = positives;
    this.auc = auc;
    this.logLoss = logLoss;
    this.calibration = calibration;
    this.roc = roc;
    this.oracle = oracle;
  }

  /** Evaluates probabilities (one per row) against labels (0 or 1). */
  public static Evaluation of(float[] scores, float[] labels) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(
          scores.length + " scores for " + labels.length + " labels");
    }
    float[] s = Arrays.copyOf(scores, scores.length);
    float[] y = Arrays.copyOf(labels, labels.length);
    long positives = 0;
    for (int i = 0; i < s.length; i++) {
      if (!(s[i] >= 0f && s[i] <= 1f)) {
        throw new IllegalArgumentException(
            "score " + s[i] + " of row " + i + " is not a probability");
      }
      if (y[i] != 0f && y[i] != 1f) {
        throw new IllegalArgumentException("label " + y[i] + " of row " + i + " is not 0 or 1");
      }
      positives += y[i] == 1f ? 1 : 0;
    }
    double auc = Auc.of(s, y);
    return new Evaluation(
        s, y, positives, auc, logLoss(s, y), calibration(s, y), roc(s, y, positives), null);
  }

  /**
   * Adds the AUC of the true probabilities on the same rows, joined by promo id and customer key
   * ({@code promoIds[i]} and {@code customerKeys[i]} belong to row i; see {@link TruthFile} for
   * which it uses). Fails if no row has a truth: that is a wrong file, not a result.
   */
  public Evaluation withOracle(TruthFile truth, String[] promoIds, String[] customerKeys) {
    if (promoIds.length != scores.length || customerKeys.length != scores.length) {
      throw new IllegalArgumentException(
          promoIds.length
              + " promo ids and "
              + customerKeys.length
              + " customer keys for "
              + scores.length
              + " rows");
    }
    List<Integer> matched = new ArrayList<>();
    List<Double> truths = new ArrayList<>();
    for (int i = 0; i < promoIds.length; i++) {
      Double p = truth.probability(promoIds[i], customerKeys[i]);
      if (p != null) {
        matched.add(i);
        truths.add(p);
      }
    }
    if (matched.isEmpty()) {
      throw new IllegalArgumentException(
          "truth file "
              + truth.location()
              + " ("
              + truth.size()
              + " promos) matches none of the "
              + promoIds.length
              + " evaluated promo ids: is it the truth of this data set?");
    }
    double[] truthScores = new double[matched.size()];
    double[] modelScores = new double[matched.size()];
    float[] matchedLabels = new float[matched.size()];
    for (int k = 0; k < matched.size(); k++) {
      int i = matched.get(k);
      truthScores[k] = truths.get(k);
      modelScores[k] = scores[i];
      matchedLabels[k] = labels[i];
    }
    OracleAuc oracleAuc =
        new OracleAuc(
            Auc.of(truthScores, matchedLabels),
            Auc.of(modelScores, matchedLabels),
            matched.size(),
            promoIds.length - matched.size());
    return new Evaluation(scores, labels, positives, auc, logLoss, calibration, roc, oracleAuc);
  }

  public int rows() {
    return scores.length;
  }

  public long positives() {
    return positives;
  }

  public double auc() {
    return auc;
  }

  /** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15]. */
  public double logLoss() {
    return logLoss;
  }

  /** Share of positive rows. */
  public double baseRate() {
    return (double) positives / scores.length;
  }

  /** Log loss of predicting the base rate for every row: the bar a useful model clears. */
  public double baselineLogLoss() {
    double b = Math.min(Math.max(baseRate(), EPSILON), 1 - EPSILON);
    return -(b * Math.log(b) + (1 - b) * Math.log(1 - b));
  }

  /** {@value #CALIBRATION_BINS} equal-width bins over [0, 1], empty bins included. */
  public List<CalibrationBin> calibration() {
    return calibration;
  }

  /** From (0, 0) to (1, 1), one point per distinct score. */
  public List<RocPoint> roc() {
    return roc;
  }

  public @Nullable OracleAuc oracle() {
    return oracle;
  }

  /** The calibration table as aligned text for a console. */
  public String calibrationTable() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT, "%-12s %8s %10s %10s%n", "predicted", "count", "mean_pred", "observed"));
    for (CalibrationBin bin : calibration) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-12s %8d %10s %10s%n",
              String.format(
                  Locale.ROOT,
                  "[%.1f, %.1f%s",
                  bin.lower(),
                  bin.upper(),
                  bin.upper() >= 1.0 ? "]" : ")"),
              bin.count(),
              bin.count() == 0 ? "-" : String.format(Locale.ROOT, "%.4f", bin.meanPredicted()),
              bin.count() == 0 ? "-" : String.format(Locale.ROOT, "%.4f", bin.observedRate())));
    }
    return b.toString();
  }

  private static double logLoss(float[] s, float[] y) {
    double sum = 0;
    for (int i = 0; i < s.length; i++) {
      double p = Math.min(Math.max(s[i], EPSILON), 1 - EPSILON);
      sum -= y[i] == 1f ? Math.log(p) : Math.log(1 - p);
    }
    return sum / s.length;
  }

  private static List<CalibrationBin> calibration(float[] s, float[] y) {
    long[] count = new long[CALIBRATION_BINS];
    double[] predicted = new double[CALIBRATION_BINS];
    double[] observed = new double[CALIBRATION_BINS];
    for (int i = 0; i < s.length; i++) {
      int bin = Math.min((int) (s[i] * CALIBRATION_BINS), CALIBRATION_BINS - 1);
      count[bin]++;
      predicted[bin] += s[i];
      observed[bin] += y[i];
    }
    List<CalibrationBin> bins = new ArrayList<>(CALIBRATION_BINS);
    for (int b = 0; b < CALIBRATION_BINS; b++) {
      double lower = (double) b / CALIBRATION_BINS;
      double upper = (double) (b + 1) / CALIBRATION_BINS;
      bins.add(
          count[b] == 0
              ? new CalibrationBin(lower, upper, 0, Double.NaN, Double.NaN)
              : new CalibrationBin(
                  lower, upper, count[b], predicted[b] / count[b], observed[b] / count[b]));
    }
    return Collections.unmodifiableList(bins);
  }

  private static List<RocPoint> roc(float[] s, float[] y, long positives) {
    long negatives = s.length - positives;
    Integer[] order = new Integer[s.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(s[b], s[a]));
    List<RocPoint> points = new ArrayList<>();
    points.add(new RocPoint(0, 0, Double.POSITIVE_INFINITY));
    long tp = 0;
    long fp = 0;
    int i = 0;
    while (i < order.length) {
      float threshold = s[order[i]];
      while (i < order.length && s[order[i]] == threshold) {
        if (y[order[i]] == 1f) {
          tp++;
        } else {
          fp++;
        }
        i++;
      }
      points.add(new RocPoint((double) fp / negatives, (double) tp / positives, threshold));
    }
    return Collections.unmodifiableList(points);
  }
}
