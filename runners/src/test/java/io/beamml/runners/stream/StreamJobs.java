package io.beamml.runners.stream;

import io.beamml.local.EmbeddedKafkaBroker;
import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.pipelines.stream.StreamPipeline;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Starts the streaming job on embedded Flink for tests: detached (so the test keeps control and
 * cancels it), checkpointing every second (so offsets get committed), parallelism 2.
 */
final class StreamJobs {

  static final HmacKey KEY =
      HmacKey.ofBytes("stream-test-key-0123456789".getBytes(StandardCharsets.UTF_8));

  private StreamJobs() {}

  /**
   * Lowers the broker's, Kafka clients' and Flink's INFO chatter to WARN. Levels apply to loggers
   * created afterwards: test classes call this from a static initializer.
   */
  static void quietLogs() {
    for (String logger :
        new String[] {
          "kafka",
          "org.apache.kafka",
          "state.change.logger",
          "org.apache.flink",
          "org.apache.beam.runners.flink",
          "org.apache.beam.sdk.io.kafka"
        }) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }

  /**
   * Options of a job on embedded Flink against {@code broker}, plus {@code --flag=value} extras,
   * which replace a default of the same flag.
   */
  static StreamOptions options(EmbeddedKafkaBroker broker, String registry, String... extra) {
    List<String> defaults =
        List.of(
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--streaming=true",
            "--attachedMode=false",
            "--parallelism=2",
            "--checkpointingInterval=1000",
            "--bootstrapServers=" + broker.bootstrapServers(),
            "--registry=" + registry,
            "--model=" + RegisteredModels.NAME + "@champion");
    List<String> args = new ArrayList<>();
    for (String flag : defaults) {
      String name = flag.substring(0, flag.indexOf('=') + 1);
      if (Arrays.stream(extra).noneMatch(e -> e.startsWith(name))) {
        args.add(flag);
      }
    }
    args.addAll(Arrays.asList(extra));
    PipelineOptionsFactory.register(StreamOptions.class);
    PipelineOptionsFactory.register(StreamLaunchOptions.class);
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .withValidation()
        .as(StreamOptions.class);
  }

  /**
   * Starts the job as {@code ./pipeline stream} does: with --savepointPath honoured on embedded
   * Flink too.
   */
  static PipelineResult start(StreamOptions options) {
    EmbeddedFlinkConf.apply(options);
    return StreamPipeline.start(options, KEY);
  }

  /** Waits until Flink reports the job running, so a feed started next meets a reading job. */
  static void awaitRunning(PipelineResult job, java.time.Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (job.getState() != PipelineResult.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the job is " + job.getState() + " after " + timeout);
      }
      Thread.sleep(100);
    }
  }

  static void cancel(PipelineResult job) {
    JobControl.cancel(job);
  }
}
