package io.beamml.runners.stream;

import static org.junit.Assert.assertTrue;

import io.beamml.local.EventFeed;
import io.beamml.local.FlinkSessionCluster;
import io.beamml.local.ReplayEvents;
import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.runners.local.ClusterStaging;
import io.beamml.runners.local.KafkaBrokerResource;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.PipelineResult;
import org.junit.AfterClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Fault test ({@code -Pfaults}): an exactly-once stream on a real Flink session cluster loses its
 * only TaskManager to {@code kill -9} three times at random moments while the feed runs; a
 * replacement starts each time and Flink restarts the job by itself from its latest checkpoint. A
 * {@code read_committed} consumer must see every message sent exactly once in the end: 0 lost, 0
 * repeated. Prints the figures and each crash's recovery time (kill to the next committed output).
 */
public class StreamTaskManagerKillFaultTest {

  static {
    StreamJobs.quietLogs();
  }

  private static final int KILLS = 3;
  private static final long SEED = 13;

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();
  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();

  private static FlinkSessionCluster cluster;

  @AfterClass
  public static void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  public void threeTaskManagerCrashesLoseAndRepeatNothing() throws Exception {
    Path flink = WORK.newFolder("flink").toPath();
    cluster = FlinkSessionCluster.start(flink);
    String registry = WORK.newFolder("registry").toString();
    RegisteredModels.registerChampion(registry, 1);
    Path data = WORK.newFolder("data").toPath();
    DataGenerator.generate(GeneratorConfig.of(150, 7, 61).withIncludeOversizedLines(false), data);
    List<ReplayEvents.Message> messages = ReplayEvents.load(data);
    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(KAFKA.broker(), "tmkill");
    StreamOptions options =
        StreamJobs.options(
            KAFKA.broker(),
            registry,
            FaultChecks.exactlyOnceFlags(
                topics, data, "tmkill", "--flinkMaster=" + cluster.restAddress()));
    options.as(FlinkPipelineOptions.class).setFilesToStage(ClusterStaging.filesToStage(options));
    Random random = new Random(SEED);
    List<String> kills = new ArrayList<>();

    try (StreamLosslessTest.Outputs out =
        StreamLosslessTest.Outputs.tailCommitted(KAFKA.broker(), topics)) {
      PipelineResult job = StreamJobs.start(options);
      try {
        EventFeed feed =
            EventFeed.start(
                KAFKA.broker().bootstrapServers(),
                topics.clicks,
                topics.orders,
                messages,
                20,
                true);
        assertTrue("the job committed nothing", out.awaitAtLeast(1, Duration.ofSeconds(180)));
        // A crash before the checkpoint after the writers' first transactions could not be
        // restored (see StreamExactlyOnceTest): the first kill comes after it.
        StreamExactlyOnceTest.awaitCheckpointAfter(
            flink.resolve("checkpoints"), System.currentTimeMillis(), Duration.ofSeconds(60));
        for (int i = 1; i <= KILLS; i++) {
          Thread.sleep(3_000 + random.nextInt(8_000));
          long sentAtKill = feed.sent();
          long killedAt = System.nanoTime();
          cluster.killTaskManager();
          // Let the tails read what the dead TaskManager committed before it died.
          Thread.sleep(500);
          long before = out.total();
          cluster.startTaskManager();
          long replacedMs = (System.nanoTime() - killedAt) / 1_000_000;
          long recoveryMs =
              FaultChecks.millisToOutputBeyond(out, before, killedAt, Duration.ofSeconds(180));
          kills.add(
              String.format(
                  "kill %d at %d sent: TaskManager replaced after %d ms, next committed output"
                      + " %d ms after the kill",
                  i, sentAtKill, replacedMs, recoveryMs));
          assertTrue("no committed output after kill " + i, recoveryMs >= 0);
        }
        StreamLosslessTest.Accounting accounting =
            FaultChecks.settle(out, feed, Duration.ofSeconds(300));
        kills.forEach(k -> System.out.println("taskmanager kills: " + k));
        System.out.printf(
            "taskmanager kills: %d kill -9 of the TaskManager, job restarted by Flink each time;"
                + " %s%n",
            KILLS, FaultChecks.figures(accounting));
        FaultChecks.assertExactlyOnce(accounting);
      } finally {
        StreamJobs.cancel(job);
      }
    }
  }
}
