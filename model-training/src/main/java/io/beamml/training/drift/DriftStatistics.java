package io.beamml.training.drift;

import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * The two distances between a feature's training distribution and a window's: the population
 * stability index over the reference bins, and the two-sample Kolmogorov-Smirnov test on raw values
 * (numeric features only).
 */
public final class DriftStatistics {

  /**
   * The share an empty bin is taken to have: PSI divides by and takes the log of proportions, so an
   * empty bin would make it infinite. 1e-4 is the usual choice; one row in ten thousand.
   */
  public static final double EPSILON = 1e-4;

  /** Seeds the Monte Carlo p-value commons-math uses for small samples, so a rerun agrees. */
  private static final long SEED = 20_240_601L;

  private DriftStatistics() {}

  /** The KS statistic D (largest gap between the two empirical CDFs) and its p-value. */
  public record Ks(double statistic, double pValue) {}

  /**
   * PSI = sum over bins of (current - reference) * ln(current / reference), shares floored at
   * {@link #EPSILON}. 0 for identical shares; it grows with the shift, whichever the direction.
   */
  public static double psi(double[] reference, double[] current) {
    if (reference.length != current.length) {
      throw new IllegalArgumentException(
          "PSI needs the same bins on both sides: " + reference.length + " vs " + current.length);
    }
    double sum = 0;
    for (int i = 0; i < reference.length; i++) {
      double e = Math.max(reference[i], EPSILON);
      double a = Math.max(current[i], EPSILON);
      sum += (a - e) * Math.log(a / e);
    }
    return sum;
  }

  /** Counts as shares of their total; all zeros when there is nothing to share. */
  public static double[] proportions(long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] shares = new double[counts.length];
    for (int i = 0; i < counts.length && total > 0; i++) {
      shares[i] = counts[i] / (double) total;
    }
    return shares;
  }

  /** Two-sample KS through commons-math; both samples need at least two values. */
  public static Ks ks(double[] reference, double[] current) {
    if (reference.length < 2 || current.length < 2) {
      throw new IllegalArgumentException(
          "the KS test needs two values on each side, got "
              + reference.length
              + " and "
              + current.length);
    }
    KolmogorovSmirnovTest test = new KolmogorovSmirnovTest(new Well19937c(SEED));
    return new Ks(
        test.kolmogorovSmirnovStatistic(reference, current),
        test.kolmogorovSmirnovTest(reference, current));
  }

  /**
   * The D above which the asymptotic two-sample KS p-value falls below {@code significance} for
   * samples of n and m values: lambda / sqrt(n m / (n + m)), lambda solving 1 - K(lambda) =
   * significance for Kolmogorov's distribution K (1.628 at 0.01, 1.358 at 0.05).
   */
  public static double ksCriticalStatistic(double significance, int n, int m) {
    if (n < 1 || m < 1) {
      throw new IllegalArgumentException(
          "the KS critical value needs two non-empty samples, got " + n + " and " + m);
    }
    KolmogorovSmirnovTest test = new KolmogorovSmirnovTest();
    double lo = 0;
    double hi = 10;
    for (int i = 0; i < 60; i++) {
      double mid = (lo + hi) / 2;
      double p = 1 - test.ksSum(mid, 1e-20, 100_000);
      if (p > significance) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return Math.min(1.0, hi / Math.sqrt((double) n * m / (n + m)));
  }
}
