package io.beamml.training.evaluation;

/**
 * Scores a row-major matrix of feature rows. Evaluation only sees the resulting probabilities, so
 * the scorer is the one serving uses ({@code LoadedModel}, see {@code ModelEvaluation}), and what
 * is measured is what is served.
 */
@FunctionalInterface
public interface MatrixScorer {

  /**
   * @param rows row-major features, {@code nrow x ncol}, NaN for missing
   * @return one probability per row
   */
  float[] score(float[] rows, int nrow, int ncol);
}
