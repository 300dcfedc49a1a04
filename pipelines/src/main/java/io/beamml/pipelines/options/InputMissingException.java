package io.beamml.pipelines.options;

/** An input flag names files that are not there; raised before the job starts. */
public final class InputMissingException extends RuntimeException {
  public InputMissingException(String message) {
    super(message);
  }
}
