package io.beamml.runners.commands;

import io.beamml.runners.metrics.MetricsEndpointOptions;
import java.util.List;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** What every subcommand does the same way: parse and validate flags, print progress lines. */
final class CommandSupport {

  private CommandSupport() {}

  /** What a subcommand that runs a job lists for --help besides its own flags. */
  static final List<Class<? extends PipelineOptions>> JOB_LAUNCHER_OPTIONS = List.of(MetricsEndpointOptions.class);

  static <T extends PipelineOptions> T options(String[] args, Class<T> type) {
    PipelineOptionsFactory.register(type);
    PipelineOptionsFactory.register(MetricsEndpointOptions.class);
    T options = PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
    relaxDirectRunnerChecks(options, args);
    // Registers gs:// and friends for code that touches files outside a running pipeline.
    FileSystems.setDefaultPipelineOptions(options);
    return options;
  }

  /**
   * The Direct runner re-encodes and compares every element to catch DoFns that mutate their
   * input: a test aid that costs the CLI's real runs about 2-3x. Tests keep it on; the launcher
   * turns it off unless a flag asks for it.
   */
  static void relaxDirectRunnerChecks(PipelineOptions options, String[] args) {
    DirectOptions direct = options.as(DirectOptions.class);
    if (!mentions(args, "--enforceImmutability")) {
      direct.setEnforceImmutability(false);
    }
    if (!mentions(args, "--enforceEncodability")) {
      direct.setEnforceEncodability(false);
    }
  }

  static boolean mentions(String[] args, String flag) {
    for (String a : args) {
      if (a.equals(flag) || a.startsWith(flag + "=")) {
        return true;
      }
    }
    return false;
  }

  /** 0 when a run summary balances; otherwise says so (it is a bug) and returns 1. */
  static int balanced(String pipeline, String summaryJson) {
    if (io.beamml.pipelines.summary.RunSummary.isBalanced(summaryJson)) {
      return 0;
    }
    System.err.println(pipeline + ": the summary does not balance (in != out + duplicates + dead letters): a bug, please report it");
    return 1;
  }

  /** Returns quietly when a batch job finished; otherwise says how it ended, as an exception. */
  static void requireDone(String pipeline, PipelineResult.State state) {
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException(pipeline + ": the job ended " + state);
    }
  }

  static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
