package io.beamml.pipelines.io;

/**
 * The output directory cannot take this run: it is a file, is not writable, another run is writing
 * it, or it holds something that is not a run's output and {@code --overwrite} was not given.
 * Raised before the job starts, so nothing was read or written.
 */
public final class OutputRefusedException extends RuntimeException {
  public OutputRefusedException(String message) {
    super(message);
  }

  public OutputRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
