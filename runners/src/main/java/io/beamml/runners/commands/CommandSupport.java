package io.beamml.runners.commands;

import io.beamml.pipelines.io.RunOutput;
import io.beamml.pipelines.options.InputPatterns;
import io.beamml.pipelines.options.RunOutputOptions;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.runners.ExitCode;
import io.beamml.runners.OptionFlags;
import io.beamml.runners.metrics.MetricsEndpointOptions;
import io.beamml.training.data.PublishedRun;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every subcommand does the same way: parse and validate flags, print progress lines. */
public final class CommandSupport {

  private static final Logger LOG = LoggerFactory.getLogger(CommandSupport.class);

  private CommandSupport() {}

  /** What a subcommand that runs a job lists for --help besides its own flags. */
  public static final List<Class<? extends PipelineOptions>> JOB_LAUNCHER_OPTIONS =
      List.of(MetricsEndpointOptions.class);

  /**
   * Parses a subcommand's flags. Beam accepts a flag of any options interface registered in the
   * JVM, so a flag of another job (registered by an earlier command) would parse and then do
   * nothing: such a flag is refused here. Runner flags (Beam's own interfaces) pass as before.
   */
  public static <T extends PipelineOptions> T options(String[] args, Class<T> type) {
    return options(args, type, JOB_LAUNCHER_OPTIONS);
  }

  /**
   * {@link #options}, for a command whose launcher takes further flags of its own ({@code
   * launchers}).
   */
  public static <T extends PipelineOptions> T options(
      String[] args, Class<T> type, List<Class<? extends PipelineOptions>> launchers) {
    for (Class<? extends PipelineOptions> launcher : launchers) {
      PipelineOptionsFactory.register(launcher);
    }
    T options = anyJobsFlags(args, type);
    refuseOtherJobsFlags(args, type, launchers);
    return options;
  }

  /**
   * Parses like {@link #options} but lets flags of every registered job through (demo passes them
   * on).
   */
  public static <T extends PipelineOptions> T anyJobsFlags(String[] args, Class<T> type) {
    PipelineOptionsFactory.register(type);
    PipelineOptionsFactory.register(MetricsEndpointOptions.class);
    T options = PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
    relaxDirectRunnerChecks(options, args);
    // Registers gs:// and friends for code that touches files outside a running pipeline.
    FileSystems.setDefaultPipelineOptions(options);
    return options;
  }

  /**
   * The Direct runner re-encodes and compares every element to catch DoFns that mutate their input:
   * a test aid that costs the CLI's real runs about 2-3x. Tests keep it on; the launcher turns it
   * off unless a flag asks for it.
   */
  public static void relaxDirectRunnerChecks(PipelineOptions options, String[] args) {
    DirectOptions direct = options.as(DirectOptions.class);
    if (!mentions(args, "--enforceImmutability")) {
      direct.setEnforceImmutability(false);
    }
    if (!mentions(args, "--enforceEncodability")) {
      direct.setEnforceEncodability(false);
    }
  }

  private static void refuseOtherJobsFlags(
      String[] args,
      Class<? extends PipelineOptions> type,
      List<Class<? extends PipelineOptions>> launchers) {
    Set<String> own = new TreeSet<>(flagsOf(type));
    for (Class<? extends PipelineOptions> launcher : launchers) {
      own.addAll(flagsOf(launcher));
    }
    Set<String> beamml = new TreeSet<>();
    for (Class<? extends PipelineOptions> registered :
        PipelineOptionsFactory.getRegisteredOptions()) {
      if (registered.getName().startsWith("io.beamml.")) {
        beamml.addAll(flagsOf(registered));
      }
    }
    for (String a : args) {
      if (!a.startsWith("--")) {
        continue;
      }
      String flag = a.substring(2).split("=", 2)[0];
      if (beamml.contains(flag) && !own.contains(flag)) {
        throw new IllegalArgumentException(
            "--" + flag + " is another job's flag, not one of this job's");
      }
    }
  }

  /** The flags an options interface takes, its inherited ones included. */
  public static Set<String> flagsOf(Class<? extends PipelineOptions> type) {
    return OptionFlags.of(type);
  }

  public static boolean mentions(String[] args, String flag) {
    for (String a : args) {
      if (a.equals(flag) || a.startsWith(flag + "=")) {
        return true;
      }
    }
    return false;
  }

  /**
   * 0 when a run summary balances; otherwise says so (it is a bug) and returns {@link
   * ExitCode#UNBALANCED}.
   */
  public static int balanced(String pipeline, String summaryJson) {
    if (RunSummary.isBalanced(summaryJson)) {
      return ExitCode.OK.code();
    }
    System.err.println(
        pipeline
            + ": the summary does not balance (in != out + duplicates + dead letters): a bug, please report it");
    return ExitCode.UNBALANCED.code();
  }

  /**
   * {@code --features} (stored feature rows) must match files, and if they lie in a run's output,
   * that run must be complete ({@link PublishedRun}).
   */
  public static void requireStoredRows(String features) {
    InputPatterns.create().flag("features", features).requireMatches();
    PublishedRun.requireCompleteAbove(features, "--features");
  }

  /** What a batch job does between choosing its output and publishing it. */
  interface Job {
    void run() throws Exception;
  }

  /**
   * Runs {@code job} into a fresh attempt directory and publishes it as {@code --output} ({@link
   * RunOutput#into}).
   */
  public static void intoOutput(RunOutputOptions options, Job job) throws Exception {
    RunOutput.into(
        options,
        () -> {
          job.run();
          return null;
        });
  }

  /** Returns quietly when a batch job finished; otherwise says how it ended, as an exception. */
  public static void requireDone(String pipeline, PipelineResult.State state) {
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException(pipeline + ": the job ended " + state);
    }
  }

  /**
   * The run's HMAC key ({@code --hmacKeyFile}, else {@code PIPELINE_HMAC_KEY}); says so in one
   * warning line when the key file can be read by others than its owner.
   */
  public static HmacKey hmacKey(@Nullable String keyFile) {
    HmacKey key = HmacKey.resolve(keyFile, System.getenv());
    keyFileWarning(keyFile).ifPresent(LOG::warn);
    return key;
  }

  /** Why a local key file is too open (group or others may read it), if it is. */
  public static Optional<String> keyFileWarning(@Nullable String keyFile) {
    Path path = keyFile == null || keyFile.isBlank() ? null : RunOutput.localPath(keyFile);
    if (path == null) {
      return Optional.empty();
    }
    try {
      if (!path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        return Optional.empty();
      }
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
      if (mode.contains(PosixFilePermission.GROUP_READ)
          || mode.contains(PosixFilePermission.OTHERS_READ)) {
        return Optional.of(
            "HMAC key file "
                + keyFile
                + " is readable by "
                + (mode.contains(PosixFilePermission.OTHERS_READ) ? "everyone" : "its group")
                + " ("
                + PosixFilePermissions.toString(mode)
                + "): whoever reads it can"
                + " re-identify customers; chmod 600 it");
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  public static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
