package io.beamml.runners.commands;

import io.beamml.pipelines.bigquery.BigQueryDestinations;
import io.beamml.pipelines.options.InputPatterns;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.pipelines.trainingset.TrainingSetPipeline;
import io.beamml.runners.Subcommand;
import io.beamml.runners.metrics.MonitoredJob;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code ./pipeline training-set}: promo responses joined with features as of each send time. */
public final class TrainingSetCommand implements Subcommand {

  @Override
  public String name() {
    return "training-set";
  }

  @Override
  public String summary() {
    return "promo responses + point-in-time features -> training examples split by time";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return TrainingSetPipeline.Options.class;
  }

  @Override
  public List<Class<? extends PipelineOptions>> launcherOptions() {
    return CommandSupport.JOB_LAUNCHER_OPTIONS;
  }

  @Override
  public int run(String[] args) throws Exception {
    TrainingSetPipeline.Options options =
        BatchRunnerDefaults.options(args, TrainingSetPipeline.Options.class);
    return run(options, CommandSupport.hmacKey(options.getHmacKeyFile()));
  }

  public static int run(TrainingSetPipeline.Options options, HmacKey key) throws Exception {
    InputPatterns.of(options).flag("responses", options.getResponses()).requireMatches();
    CommandSupport.say("training-set: running on " + options.getRunner().getSimpleName() + " ...");
    long start = System.nanoTime();
    CommandSupport.intoOutput(
        options,
        () -> {
          Pipeline p = Pipeline.create(options);
          TrainingSetPipeline.build(p, options, key);
          CommandSupport.requireDone("training-set", MonitoredJob.run(p));
        });
    String summary = RunSummary.read(options.getOutput());
    RunSummary.printTable(summary, System.out);
    CommandSupport.say(
        String.format(
            "training-set: finished in %.1f s; examples under %s/%s/",
            (System.nanoTime() - start) / 1e9,
            options.getOutput(),
            TrainingSetPipeline.EXAMPLES_DIR));
    BigQueryDestinations bigQuery = BigQueryDestinations.ifChosen(options);
    if (bigQuery != null) {
      CommandSupport.say(
          "  and in "
              + bigQuery.trainingExamples().table()
              + "; dead letters in "
              + bigQuery.deadLetters().table());
    }
    return CommandSupport.balanced("training-set", summary);
  }
}
