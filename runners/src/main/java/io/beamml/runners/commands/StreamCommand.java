package io.beamml.runners.commands;

import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.pipelines.stream.StreamPipeline;
import io.beamml.pipelines.stream.StreamSinks;
import io.beamml.runners.Subcommand;
import io.beamml.runners.metrics.MonitoredJob;
import io.beamml.runners.stream.EmbeddedFlinkConf;
import io.beamml.runners.stream.StreamLaunchChecks;
import io.beamml.runners.stream.StreamLaunchOptions;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ./pipeline stream}: the streaming job, Kafka in, Kafka, files or BigQuery out ({@code
 * --sink}), until it is stopped (or, with {@code --maxRecords}/{@code --maxReadTime}, until its
 * bounded read is done).
 */
public final class StreamCommand implements Subcommand {

  /**
   * The stream's bundle time unless {@code --maxBundleTimeMills} says otherwise. Flink holds a
   * bundle's output for up to 1 s by default; 100 ms bundles cut the p99 event-to-prediction
   * latency at half load from about 1.3 s to under 0.5 s (benchmark-stream).
   */
  public static final long MAX_BUNDLE_TIME_MILLS = 100L;

  @Override
  public String name() {
    return "stream";
  }

  @Override
  public String summary() {
    return "score the clicks and orders topics as they arrive: predictions, audit, drift, live quality (--responsesTopic) and dead letters to Kafka, files or BigQuery";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return StreamOptions.class;
  }

  @Override
  public List<Class<? extends PipelineOptions>> launcherOptions() {
    List<Class<? extends PipelineOptions>> launcher =
        new java.util.ArrayList<>(CommandSupport.JOB_LAUNCHER_OPTIONS);
    launcher.add(StreamLaunchOptions.class);
    return launcher;
  }

  @Override
  public int run(String[] args) throws Exception {
    StreamOptions options = CommandSupport.options(args, StreamOptions.class, launcherOptions());
    if (!CommandSupport.mentions(args, "--maxBundleTimeMills")) {
      options.as(FlinkPipelineOptions.class).setMaxBundleTimeMills(MAX_BUNDLE_TIME_MILLS);
    }
    HmacKey key = CommandSupport.hmacKey(options.getHmacKeyFile());
    StreamLaunchChecks.check(options);
    CommandSupport.say(
        "stream: "
            + options.getClicksTopic()
            + " + "
            + options.getOrdersTopic()
            + " at "
            + options.getBootstrapServers()
            + " -> "
            + destination(options)
            + ", model "
            + options.getModel()
            + ", features "
            + options.getFeatureMode()
            + ", "
            + options.getDeliveryGuarantee()
            + ", on "
            + options.getRunner().getSimpleName());
    if (options.getResponsesTopic() != null && !options.getResponsesTopic().isBlank()) {
      CommandSupport.say(
          "stream: live quality from "
              + options.getResponsesTopic()
              + " per day of sent_time, responses up to "
              + options.getResponseLateness()
              + " late, scores kept "
              + options.getScoreTtl());
    }
    // --savepointPath (and --embeddedRestPort) on embedded Flink: Beam hands them only to clusters.
    EmbeddedFlinkConf.apply(options);
    Pipeline p = Pipeline.create(options);
    StreamPipeline.build(p, options, key);
    PipelineResult.State state = MonitoredJob.run(p);
    CommandSupport.say("stream: job ended " + state);
    // The exactly-once sink leaves a non-daemon thread behind: the launcher exits explicitly
    // (PipelineCli calls System.exit with this code).
    return state == PipelineResult.State.DONE || state == PipelineResult.State.CANCELLED ? 0 : 1;
  }

  private static String destination(StreamOptions options) {
    switch (StreamSinks.sink(options)) {
      case files:
        return "files under " + options.getOutput() + " every " + options.getFileWindow();
      case bigquery:
        return "BigQuery dataset " + options.getBigQueryDataset();
      case kafka:
      default:
        return options.getPredictionsTopic()
            + " (dead letters: "
            + options.getDeadLettersTopic()
            + ")";
    }
  }
}
