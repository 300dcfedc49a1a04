package io.beamml.runners.stream;

import static org.junit.Assert.assertTrue;

import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.runners.local.KafkaBrokerResource;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Fault test ({@code -Pfaults}): the Kafka broker under a running exactly-once stream stops for 30
 * s mid-input and comes back on the same port with its data. Nobody restarts the job: it must
 * recover by itself (Flink's restart strategy, from its latest checkpoint), and a {@code
 * read_committed} consumer must see every message sent exactly once in the end: 0 lost, 0 repeated.
 * Prints the figures and the recovery time (broker back to the next committed output).
 */
public class StreamBrokerOutageFaultTest {

  static {
    StreamJobs.quietLogs();
  }

  private static final Duration OUTAGE = Duration.ofSeconds(30);

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();
  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();

  @Test
  public void aThirtySecondBrokerOutageLosesAndRepeatsNothing() throws Exception {
    String registry = WORK.newFolder("registry").toString();
    RegisteredModels.registerChampion(registry, 1);
    Path data = WORK.newFolder("data").toPath();
    DataGenerator.generate(GeneratorConfig.of(100, 7, 67).withIncludeOversizedLines(false), data);
    List<ReplayEvents.Message> messages = ReplayEvents.load(data);
    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(KAFKA.broker(), "outage");
    Path checkpoints = WORK.newFolder("checkpoints").toPath();
    Path conf = WORK.newFolder("flink-conf").toPath();
    Files.write(
        conf.resolve("flink-conf.yaml"),
        List.of("state.checkpoints.dir: " + checkpoints.toUri()),
        StandardCharsets.UTF_8);
    String[] flags =
        FaultChecks.exactlyOnceFlags(
            topics,
            data,
            "outage",
            "--numberOfExecutionRetries=1000",
            "--executionRetryDelay=2000",
            "--flinkConfDir=" + conf);

    try (StreamLosslessTest.Outputs out =
        StreamLosslessTest.Outputs.tailCommitted(KAFKA.broker(), topics)) {
      PipelineResult job = StreamJobs.start(StreamJobs.options(KAFKA.broker(), registry, flags));
      try {
        StreamJobs.awaitRunning(job, Duration.ofSeconds(60));
        EventFeed feed =
            EventFeed.start(
                KAFKA.broker().bootstrapServers(),
                topics.clicks,
                topics.orders,
                messages,
                15,
                true);
        assertTrue("the job committed nothing", out.awaitAtLeast(1, Duration.ofSeconds(120)));
        // As in StreamExactlyOnceTest: the job must have a checkpoint it can restore.
        StreamExactlyOnceTest.awaitCheckpointAfter(
            checkpoints, System.currentTimeMillis(), Duration.ofSeconds(60));
        Thread.sleep(5_000);
        long sentAtStop = feed.sent();
        long outputsAtStop = out.total();
        KAFKA.broker().stop();
        Thread.sleep(OUTAGE.toMillis());
        KAFKA.broker().restart();
        long restartedAt = System.nanoTime();
        long before = out.total();
        long recoveryMs =
            FaultChecks.millisToOutputBeyond(out, before, restartedAt, Duration.ofSeconds(300));
        assertTrue("no committed output after the broker came back", recoveryMs >= 0);
        StreamLosslessTest.Accounting accounting =
            FaultChecks.settle(out, feed, Duration.ofSeconds(300));
        System.out.printf(
            "broker outage: broker stopped %d s at %d sent and %d committed outputs, job left to"
                + " recover by itself; first new committed output %d ms after the broker came"
                + " back; %s%n",
            OUTAGE.toSeconds(),
            sentAtStop,
            outputsAtStop,
            recoveryMs,
            FaultChecks.figures(accounting));
        FaultChecks.assertExactlyOnce(accounting);
      } finally {
        StreamJobs.cancel(job);
      }
    }
  }
}
