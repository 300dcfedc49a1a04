package io.beamml.training.evaluation;

/**
 * Scores a batch of rows. Evaluation only sees the resulting probabilities, so the scorer can be
 * the same one the scoring pipelines use, and what is measured is what is served.
 */
@FunctionalInterface
public interface BatchScorer {

  /**
   * @param rows row-major features, {@code nrow x ncol}, NaN for missing
   * @return one probability per row
   */
  float[] score(float[] rows, int nrow, int ncol);
}
