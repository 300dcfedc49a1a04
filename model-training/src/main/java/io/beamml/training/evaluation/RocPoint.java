package io.beamml.training.evaluation;

/** A point of the ROC curve: predicting positive at score >= threshold gives these rates. */
public final class RocPoint {

  private final double falsePositiveRate;
  private final double truePositiveRate;
  private final double threshold;

  public RocPoint(double falsePositiveRate, double truePositiveRate, double threshold) {
    this.falsePositiveRate = falsePositiveRate;
    this.truePositiveRate = truePositiveRate;
    this.threshold = threshold;
  }

  public double falsePositiveRate() {
    return falsePositiveRate;
  }

  public double truePositiveRate() {
    return truePositiveRate;
  }

  /** Positive infinity for the (0, 0) corner. */
  public double threshold() {
    return threshold;
  }
}
