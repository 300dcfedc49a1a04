package io.beamml.inference;

/** XGBoost refused to score or explain a batch; the rows become dead letters, not lost. */
public final class ScoringException extends RuntimeException {
  public ScoringException(String message, Throwable cause) {
    super(message, cause);
  }
}
