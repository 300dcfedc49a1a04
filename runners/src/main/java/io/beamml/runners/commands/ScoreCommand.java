package io.beamml.runners.commands;

import io.beamml.pipelines.bigquery.BigQueryDestinations;
import io.beamml.pipelines.options.InputPatterns;
import io.beamml.pipelines.score.ScorePipeline;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.runners.Subcommand;
import io.beamml.runners.metrics.MonitoredJob;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code ./pipeline score}: batch scoring with a registered model. */
public final class ScoreCommand implements Subcommand {

  @Override
  public String name() {
    return "score";
  }

  @Override
  public String summary() {
    return "score backfill-style inputs (or stored feature rows) with NAME@ALIAS or NAME:VERSION";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return ScorePipeline.Options.class;
  }

  @Override
  public List<Class<? extends PipelineOptions>> launcherOptions() {
    return CommandSupport.JOB_LAUNCHER_OPTIONS;
  }

  @Override
  public int run(String[] args) throws Exception {
    ScorePipeline.Options options = BatchRunnerDefaults.options(args, ScorePipeline.Options.class);
    return run(
        options, storedRows(options) ? null : CommandSupport.hmacKey(options.getHmacKeyFile()));
  }

  private static boolean storedRows(ScorePipeline.Options options) {
    return options.getFeatures() != null && !options.getFeatures().isBlank();
  }

  public static int run(ScorePipeline.Options options, HmacKey key) throws Exception {
    if (storedRows(options)) {
      CommandSupport.requireStoredRows(options.getFeatures());
    } else {
      InputPatterns.of(options).requireMatches();
    }
    CommandSupport.say(
        "score: "
            + options.getModel()
            + " from "
            + options.getRegistry()
            + " on "
            + options.getRunner().getSimpleName()
            + " ...");
    long start = System.nanoTime();
    CommandSupport.intoOutput(
        options,
        () -> {
          Pipeline p = Pipeline.create(options);
          ScorePipeline.build(p, options, key);
          CommandSupport.requireDone("score", MonitoredJob.run(p));
        });
    String summary = RunSummary.read(options.getOutput());
    RunSummary.printTable(summary, System.out);
    BigQueryDestinations bigQuery = BigQueryDestinations.ifChosen(options);
    CommandSupport.say(
        String.format(
            "score: finished in %.1f s; predictions in %s",
            (System.nanoTime() - start) / 1e9,
            bigQuery == null
                ? options.getOutput() + "/" + ScorePipeline.PREDICTIONS_DIR + "/"
                : bigQuery.predictions().table()));
    return CommandSupport.balanced("score", summary);
  }
}
