package io.beamml.runners.commands;

import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.pipelines.bigquery.BigQueryDestinations;
import io.beamml.pipelines.options.InputPatterns;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.runners.Subcommand;
import io.beamml.runners.metrics.MonitoredJob;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code ./pipeline backfill}: files in, offline feature store, dead letters and summary out. */
public final class BackfillCommand implements Subcommand {

  @Override
  public String name() {
    return "backfill";
  }

  @Override
  public String summary() {
    return "clicks, sales and profiles files -> feature rows (Avro/JSONL by event date), dead letters, summary.json";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return BackfillPipeline.Options.class;
  }

  @Override
  public List<Class<? extends PipelineOptions>> launcherOptions() {
    return CommandSupport.JOB_LAUNCHER_OPTIONS;
  }

  @Override
  public int run(String[] args) throws Exception {
    BackfillPipeline.Options options =
        BatchRunnerDefaults.options(args, BackfillPipeline.Options.class);
    HmacKey key = CommandSupport.hmacKey(options.getHmacKeyFile());
    return run(options, key);
  }

  /** Runs a backfill with a resolved key and prints its count table; used by demo too. */
  public static int run(BackfillPipeline.Options options, HmacKey key) throws Exception {
    long start = System.nanoTime();
    InputPatterns.of(options).requireMatches();
    CommandSupport.say("backfill: running on " + options.getRunner().getSimpleName() + " ...");
    CommandSupport.intoOutput(
        options,
        () -> {
          Pipeline p = Pipeline.create(options);
          BackfillPipeline.build(p, options, key);
          CommandSupport.requireDone("backfill", MonitoredJob.run(p));
        });
    double seconds = (System.nanoTime() - start) / 1e9;
    String summary = RunSummary.read(options.getOutput());
    RunSummary.printTable(summary, System.out);
    CommandSupport.say(String.format("backfill: finished in %.1f s", seconds));
    BigQueryDestinations bigQuery = BigQueryDestinations.ifChosen(options);
    String deadLetterFiles = options.getOutput() + "/" + BackfillPipeline.DEAD_LETTERS_DIR + "/";
    CommandSupport.say(
        "  feature rows: "
            + (bigQuery == null
                ? options.getOutput() + "/" + BackfillPipeline.FEATURES_DIR + "/"
                : bigQuery.featureRows().table()));
    CommandSupport.say(
        "  dead letters: "
            + (bigQuery == null
                ? deadLetterFiles
                : bigQuery.deadLetters().table() + ", any it refuses under " + deadLetterFiles)
            + " (raw input: may hold personal data)");
    CommandSupport.say(
        "  summary:      " + options.getOutput() + "/" + BackfillPipeline.SUMMARY_FILE);
    return CommandSupport.balanced("backfill", summary);
  }
}
