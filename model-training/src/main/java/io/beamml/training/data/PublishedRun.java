package io.beamml.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * What a reader checks before it trusts a batch run's output directory. A run writes into an
 * attempt directory and publishes it whole; where publishing is a copy (gs://), the directory holds
 * {@value #SUMMARY_FILE} from the first copied file to the end and {@value #SUCCESS_FILE} only once
 * every file is in place. So: a directory with a summary and no success marker is a run still being
 * published or cut short, and is refused; one with neither was not written by a run (e.g. files put
 * there by hand) and is read as it is.
 */
public final class PublishedRun {

  /** Written last when a run's output is complete (the name Hadoop and Spark use). */
  public static final String SUCCESS_FILE = "_SUCCESS";

  /** Every batch run writes its summary here; it marks the directory as a run's output. */
  public static final String SUMMARY_FILE = "summary.json";

  private PublishedRun() {}

  /** A run's output that readers must not trust yet (or any more). */
  public static final class IncompleteRunException extends IllegalStateException {
    public IncompleteRunException(String message) {
      super(message);
    }
  }

  /** Whether {@code directory} is a run's output (holds a summary or a success marker). */
  public static boolean isRunOutput(String directory) {
    return exists(join(directory, SUMMARY_FILE)) || exists(join(directory, SUCCESS_FILE));
  }

  /** Whether {@code directory} holds a complete, published run. */
  public static boolean isComplete(String directory) {
    return exists(join(directory, SUCCESS_FILE));
  }

  /**
   * Refuses a run's output that is not complete; {@code what} names the reader's flag for the
   * message, e.g. {@code --trainingSet}.
   */
  public static void requireCompleteIfRunOutput(String directory, String what) {
    if (isRunOutput(directory) && !isComplete(directory)) {
      throw new IncompleteRunException(
          what
              + ": "
              + directory
              + " holds a run's "
              + SUMMARY_FILE
              + " but no "
              + SUCCESS_FILE
              + ": that run is still being published or was cut short; wait for it or run it again");
    }
  }

  /**
   * For a file pattern such as {@code OUT/features/*}{@code /*.avro}: the nearest directory above
   * its first wildcard that is a run's output, which must then be complete. Files outside any run's
   * output are not checked.
   */
  public static void requireCompleteAbove(String pattern, String what) {
    int wildcard = firstWildcard(pattern);
    String fixed = pattern.substring(0, wildcard);
    int slash = fixed.lastIndexOf('/');
    String dir = slash < 0 ? "." : fixed.substring(0, slash);
    while (!dir.isEmpty() && !dir.endsWith(":") && !dir.endsWith(":/")) {
      if (isRunOutput(dir)) {
        requireCompleteIfRunOutput(dir, what);
        return;
      }
      int up = dir.lastIndexOf('/');
      if (up <= 0 || dir.substring(0, up).endsWith(":/")) {
        return;
      }
      dir = dir.substring(0, up);
    }
  }

  private static int firstWildcard(String pattern) {
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == '{') {
        return i;
      }
    }
    return pattern.length();
  }

  private static String join(String directory, String name) {
    return (directory.endsWith("/") ? directory : directory + "/") + name;
  }

  private static boolean exists(String path) {
    try {
      MatchResult match = FileSystems.match(path, EmptyMatchTreatment.ALLOW);
      return match.status() == MatchResult.Status.OK && !match.metadata().isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot look for " + path, e);
    }
  }
}
