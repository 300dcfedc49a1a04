package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertEquals;

import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.testdata.GeneratorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Fault test ({@code -Pfaults}): an exactly-once stream is cancelled at a random moment and
 * restarted from its latest retained checkpoint five times while the feed runs; a {@code
 * read_committed} consumer must see every message sent once in the end: 0 lost, 0 repeated. Prints
 * the figures and each restart's recovery time (restart to the next committed output).
 */
public class StreamRepeatedRestartFaultTest {

  @ClassRule
  public static final StreamTestBed STREAM =
      StreamTestBed.create()
          .withChampion(1)
          .withEvents(GeneratorConfig.of(80, 7, 53).withIncludeOversizedLines(false));

  @Test
  public void fiveRestartsFromTheLatestCheckpointLoseAndRepeatNothing() throws Exception {
    StreamLosslessTest.Topics topics =
        StreamLosslessTest.Topics.create(STREAM.broker(), "restarts");
    List<ReplayEvents.Message> messages = ReplayEvents.load(STREAM.data());
    Path checkpoints = STREAM.newFolder("checkpoints").toPath();
    Path conf = STREAM.newFolder("flink-conf").toPath();
    Files.write(
        conf.resolve("flink-conf.yaml"),
        List.of("state.checkpoints.dir: " + checkpoints.toUri()),
        StandardCharsets.UTF_8);
    String[] flags =
        topics.flags(
            "--profiles=" + STREAM.data().resolve("profiles") + "/*.csv",
            "--consumerGroup=restarts",
            "--featureMode=exact",
            "--allowedLateness=PT5S",
            "--deliveryGuarantee=exactly_once",
            "--externalizedCheckpointsEnabled=true",
            "--retainExternalizedCheckpointsOnCancellation=true",
            "--numberOfExecutionRetries=0",
            "--flinkConfDir=" + conf);
    Random random = new Random(7);
    List<String> restarts = new ArrayList<>();

    try (StreamLosslessTest.Outputs out =
        StreamLosslessTest.Outputs.tailCommitted(STREAM.broker(), topics)) {
      PipelineResult job =
          StreamJobs.start(StreamJobs.options(STREAM.broker(), STREAM.registry(), flags));
      StreamJobs.awaitRunning(job, Duration.ofSeconds(60));
      EventFeed feed =
          EventFeed.start(
              STREAM.broker().bootstrapServers(), topics.clicks, topics.orders, messages, 12, true);
      // The first restart point must follow the writers' first transactions (see
      // StreamExactlyOnceTest).
      org.junit.Assert.assertTrue(out.awaitAtLeast(1, Duration.ofSeconds(120)));
      StreamExactlyOnceTest.awaitCheckpointAfter(
          checkpoints, System.currentTimeMillis(), Duration.ofSeconds(60));
      for (int i = 0; i < 5; i++) {
        Thread.sleep(4_000 + random.nextInt(8_000));
        JobControl.cancel(job);
        Path checkpoint = latest(checkpoints);
        long before = out.total();
        long restartedAt = System.nanoTime();
        job =
            StreamJobs.start(
                StreamJobs.options(
                    STREAM.broker(),
                    STREAM.registry(),
                    StreamSavepointUpgradeTest.with(
                        flags, "--savepointPath=" + checkpoint.toUri())));
        StreamJobs.awaitRunning(job, Duration.ofSeconds(60));
        long recoveryMs =
            out.awaitAtLeast(before + 1, Duration.ofSeconds(120))
                ? (System.nanoTime() - restartedAt) / 1_000_000
                : -1;
        restarts.add(
            String.format(
                "restart %d at %d sent from %s: next committed output after %d ms",
                i + 1,
                feed.sent(),
                checkpoint.getParent().getFileName() + "/" + checkpoint.getFileName(),
                recoveryMs));
      }
      feed.await(Duration.ofSeconds(300));
      StreamLosslessTest.Accounting accounting = out.awaitAccounted(Duration.ofSeconds(180));
      out.predictions.awaitQuiet(Duration.ofSeconds(5), Duration.ofSeconds(60));
      accounting = out.account();
      JobControl.cancel(job);

      restarts.forEach(r -> System.out.println("repeated restarts: " + r));
      System.out.printf("repeated restarts: %d messages sent; %s%n", accounting.sent, accounting);
      assertThat("messages lost", accounting.missing, empty());
      assertThat("messages with more than one outcome", accounting.repeated, empty());
      assertEquals("repeated predictions", 0, accounting.repeatedPredictions);
      assertThat(accounting.predictions, greaterThan(0L));
    }
  }

  /**
   * The newest complete checkpoint of any of the jobs so far, by the time its metadata was written.
   */
  private static Path latest(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(f -> f.getFileName().toString().equals("_metadata"))
          .max(Comparator.comparingLong(f -> f.toFile().lastModified()))
          .map(Path::getParent)
          .orElseThrow(() -> new AssertionError("no checkpoint under " + dir));
    }
  }
}
