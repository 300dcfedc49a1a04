package io.beamml.runners;

import io.beamml.inference.registry.AliasConflictException;
import io.beamml.inference.registry.ModelIntegrityException;
import io.beamml.pipelines.io.OutputRefusedException;
import io.beamml.pipelines.options.InputMissingException;
import io.beamml.training.data.PublishedRun;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The launcher's exit codes, the one place that defines them and says which failure gets which. A
 * script can tell "fix the command line" (2), "the input is not there" (4), "the output cannot be
 * written" (5), "the model file was tampered with" (6), "the gate said no" (3), "another promote
 * won the race" (75) and "the counts do not add up" (7) from "something broke" (1) without reading
 * the log.
 */
public enum ExitCode {
  OK(0, "success"),
  RUNTIME_FAILURE(
      1, "the job failed at run time (a bug, or the environment: disk, network, runner)"),
  USAGE(2, "wrong or missing flags, unknown subcommand, no HMAC key"),
  PROMOTION_REFUSED(
      3, "promote, retrain: the promotion gate refused (promote --force moves the alias anyway)"),
  INPUT_MISSING(
      4,
      "an input flag's pattern matches no file, or names a run's output that is not complete (no _SUCCESS)"),
  OUTPUT_REFUSED(
      5,
      "the output cannot be written: it is a file, not writable, busy with another run, or not a run's"
          + " output and --overwrite was not given"),
  INTEGRITY_REFUSED(6, "a model file does not match the SHA-256 recorded when it was registered"),
  UNBALANCED(
      7,
      "the run finished but its summary does not balance (in != out + duplicates + dead letters): a bug"),
  ALIAS_CONFLICT(
      75,
      "promote, retrain: another writer moved the alias after this one read it; run it again to decide"
          + " against the new holder");

  /**
   * Failures a user can cause and fix: one line, no stack trace (unless {@code --verbose}). The
   * first whose type appears in an exception's cause chain wins.
   */
  private static final Map<ExitCode, Predicate<Throwable>> EXPECTED =
      Map.of(
          INTEGRITY_REFUSED, ModelIntegrityException.class::isInstance,
          ALIAS_CONFLICT, AliasConflictException.class::isInstance,
          INPUT_MISSING,
              t ->
                  t instanceof InputMissingException
                      || t instanceof PublishedRun.IncompleteRunException,
          OUTPUT_REFUSED, OutputRefusedException.class::isInstance);

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  /** The number the process exits with. */
  public int code() {
    return code;
  }

  /** What it means, for --help and the README's table. */
  public String meaning() {
    return meaning;
  }

  /**
   * The code for a failure: an expected failure anywhere in the cause chain (runners wrap what a
   * DoFn throws), else {@link #USAGE} for a flag error raised before the job ran, else {@link
   * #RUNTIME_FAILURE}.
   */
  public static ExitCode of(Throwable failure) {
    Throwable expected = expectedCause(failure);
    if (expected != null) {
      for (ExitCode c : values()) {
        Predicate<Throwable> test = EXPECTED.get(c);
        if (test != null && test.test(expected)) {
          return c;
        }
      }
    }
    return failure instanceof IllegalArgumentException ? USAGE : RUNTIME_FAILURE;
  }

  /** The first exception in the chain that is an expected failure, or null. */
  public static Throwable expectedCause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Predicate<Throwable> test : EXPECTED.values()) {
        if (test.test(t)) {
          return t;
        }
      }
    }
    return null;
  }
}
