package io.beamml.training.evaluation;

/**
 * One bin of a reliability table: rows whose predicted probability fell in [lower, upper), their
 * mean prediction and how often they were actually positive. Means are NaN when empty.
 */
public final class CalibrationBin {

  private final double lower;
  private final double upper;
  private final long count;
  private final double meanPredicted;
  private final double observedRate;

  public CalibrationBin(
      double lower, double upper, long count, double meanPredicted, double observedRate) {
    this.lower = lower;
    this.upper = upper;
    this.count = count;
    this.meanPredicted = meanPredicted;
    this.observedRate = observedRate;
  }

  public double lower() {
    return lower;
  }

  public double upper() {
    return upper;
  }

  public long count() {
    return count;
  }

  public double meanPredicted() {
    return meanPredicted;
  }

  public double observedRate() {
    return observedRate;
  }
}
