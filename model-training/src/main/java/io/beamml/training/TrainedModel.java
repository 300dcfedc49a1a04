package io.beamml.training;

import ml.dmlc.xgboost4j.java.Booster;

/**
 * The outcome of one training run: a booster holding exactly the best iteration's trees (so any
 * scorer that uses all trees scores what was selected), and how early stopping went.
 */
public final class TrainedModel implements AutoCloseable {

  private final Booster booster;
  private final int bestIteration;
  private final int roundsRun;
  private final int maxRounds;
  private final String metric;
  private final float[] validationCurve;

  TrainedModel(
      Booster booster,
      int bestIteration,
      int roundsRun,
      int maxRounds,
      String metric,
      float[] validationCurve) {
    this.booster = booster;
    this.bestIteration = bestIteration;
    this.roundsRun = roundsRun;
    this.maxRounds = maxRounds;
    this.metric = metric;
    this.validationCurve = validationCurve;
  }

  public Booster booster() {
    return booster;
  }

  /** Zero-based round with the best validation metric; the model has bestIteration + 1 trees. */
  public int bestIteration() {
    return bestIteration;
  }

  /** Rounds boosted before early stopping ended the loop. */
  public int roundsRun() {
    return roundsRun;
  }

  public int maxRounds() {
    return maxRounds;
  }

  public boolean stoppedEarly() {
    return roundsRun < maxRounds;
  }

  /** The metric early stopping watched. */
  public String metric() {
    return metric;
  }

  /** That metric on the validation split after each round run. */
  public float[] validationCurve() {
    return validationCurve.clone();
  }

  @Override
  public void close() {
    booster.dispose();
  }
}
