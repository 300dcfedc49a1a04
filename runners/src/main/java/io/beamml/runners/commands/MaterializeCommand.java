package io.beamml.runners.commands;

import io.beamml.pipelines.online.MaterializePipeline;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.runners.Subcommand;
import io.beamml.runners.metrics.MonitoredJob;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.time.Instant;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ./pipeline materialize}: the backfill's inputs into the Redis online store as of a time.
 */
public final class MaterializeCommand implements Subcommand {

  @Override
  public String name() {
    return "materialize";
  }

  @Override
  public String summary() {
    return "clicks, sales and profiles files -> the Redis online store as of --asOf (cold start, rebuild)";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return MaterializePipeline.Options.class;
  }

  @Override
  public List<Class<? extends PipelineOptions>> launcherOptions() {
    return CommandSupport.JOB_LAUNCHER_OPTIONS;
  }

  @Override
  public int run(String[] args) throws Exception {
    MaterializePipeline.Options options =
        CommandSupport.options(args, MaterializePipeline.Options.class);
    HmacKey key = HmacKey.resolve(options.getHmacKeyFile(), System.getenv());
    return run(options, key);
  }

  /** Runs with a resolved key and prints the count table; used by demo too. */
  public static int run(MaterializePipeline.Options options, HmacKey key) throws Exception {
    long asOf = MaterializePipeline.asOfMillis(options, System.currentTimeMillis());
    long start = System.nanoTime();
    CommandSupport.say(
        "materialize: as of "
            + Instant.ofEpochMilli(asOf)
            + " into "
            + options.getOnlineStore()
            + " (prefix "
            + options.getOnlineStorePrefix()
            + ") on "
            + options.getRunner().getSimpleName()
            + " ...");
    Pipeline p = Pipeline.create(options);
    MaterializePipeline.build(p, options, key, asOf);
    CommandSupport.requireDone("materialize", MonitoredJob.run(p));
    String summary = RunSummary.read(options.getOutput());
    RunSummary.printTable(summary, System.out);
    CommandSupport.say(
        String.format("materialize: finished in %.1f s", (System.nanoTime() - start) / 1e9));
    CommandSupport.say(
        "  dead letters: "
            + options.getOutput()
            + "/"
            + MaterializePipeline.DEAD_LETTERS_DIR
            + "/ (raw input: may hold personal data)");
    return CommandSupport.balanced("materialize", summary);
  }
}
