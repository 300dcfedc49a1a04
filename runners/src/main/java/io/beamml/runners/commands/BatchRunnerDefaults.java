package io.beamml.runners.commands;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The runner a batch command ({@code backfill}, {@code training-set}, {@code score}) runs on when
 * the user names none: embedded Flink, with one task slot per core, Flink's faster copies between
 * chained steps and object reuse. Measured by {@code ./pipeline benchmark-backfill}, it is several
 * times faster than the Direct runner on one machine (the Direct runner is a test aid: it runs each
 * key's group and each bundle through its checking machinery), and it is the runner the jobs later
 * run on at scale. {@code --runner=DirectRunner} still picks the Direct runner (where batch dedup
 * and features group by shard, see {@code --groupingShards}); every default here gives way to the
 * same flag given on the command line.
 */
public final class BatchRunnerDefaults {

  private BatchRunnerDefaults() {}

  /** Parses a batch command's flags with the defaults above filled in. */
  public static <T extends PipelineOptions> T options(String[] args, Class<T> type) {
    return CommandSupport.options(withDefaults(args), type);
  }

  /** {@code args} plus the default runner's flags that {@code args} does not set itself. */
  public static String[] withDefaults(String[] args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!CommandSupport.mentions(args, "--runner")) {
      all.add("--runner=" + FlinkRunner.class.getSimpleName());
      if (!CommandSupport.mentions(args, "--flinkMaster")) {
        all.add("--flinkMaster=[local]");
      }
    }
    if (isFlink(all)) {
      if (isEmbedded(all)) {
        addUnlessGiven(
            all,
            args,
            "--parallelism",
            Integer.toString(Runtime.getRuntime().availableProcessors()));
      }
      // Beam copies each element between chained Flink steps unless told these are safe: our DoFns
      // never mutate their input or an output after emitting it.
      addUnlessGiven(all, args, "--fasterCopy", "true");
      addUnlessGiven(all, args, "--objectReuse", "true");
    }
    return all.toArray(new String[0]);
  }

  private static boolean isFlink(List<String> args) {
    for (String a : args) {
      if (a.startsWith("--runner=")
          && a.substring("--runner=".length()).toLowerCase().contains("flink")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isEmbedded(List<String> args) {
    for (String a : args) {
      if (a.startsWith("--flinkMaster=")) {
        return a.endsWith("[local]") || a.endsWith("[auto]");
      }
    }
    return true;
  }

  private static void addUnlessGiven(List<String> all, String[] given, String flag, String value) {
    if (!CommandSupport.mentions(given, flag)) {
      all.add(flag + "=" + value);
    }
  }
}
