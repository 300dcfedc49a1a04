package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.testdata.GeneratorConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * {@code --deliveryGuarantee=exactly_once}: the stream is cancelled mid-input (no savepoint: as a
 * crash would leave it) and started again from its latest retained checkpoint, and a {@code
 * read_committed} consumer of the outputs sees every message sent exactly once, as a prediction, a
 * caught duplicate or a dead letter: 0 lost, 0 repeated. With at-least-once sinks the same restart
 * repeats whatever was written after the checkpoint (see StreamLosslessTest).
 */
public class StreamExactlyOnceTest {

  @ClassRule
  public static final StreamTestBed STREAM =
      StreamTestBed.create()
          .withChampion(1)
          .withEvents(GeneratorConfig.of(40, 4, 31).withIncludeOversizedLines(false));

  /** Waits until a checkpoint under {@code dir} completed after {@code millis} (epoch ms). */
  static void awaitCheckpointAfter(Path dir, long millis, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    // The first checkpoint to complete after millis may have passed the writers before then, with
    // a first transaction committed after its snapshot (restoring it fails: "Kafka metadata exists
    // for shard 0, but there is no stored state"); the one after it started after millis.
    long firstCompleted = awaitCompletedAfter(dir, millis, deadline, timeout);
    awaitCompletedAfter(dir, firstCompleted, deadline, timeout);
  }

  private static long awaitCompletedAfter(Path dir, long millis, long deadline, Duration timeout)
      throws Exception {
    while (true) {
      try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
        java.util.Optional<Long> completed =
            files
                .filter(f -> f.getFileName().toString().equals("_metadata"))
                .map(f -> f.toFile().lastModified())
                .filter(modified -> modified > millis)
                .min(Long::compare);
        if (completed.isPresent()) {
          return completed.get();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no checkpoint completed under " + dir + " within " + timeout);
      }
      Thread.sleep(100);
    }
  }

  @Test
  public void aRestartFromTheLatestCheckpointRepeatsNothingForReadCommittedConsumers()
      throws Exception {
    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(STREAM.broker(), "eos");
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
            "--consumerGroup=eos",
            "--featureMode=low_latency",
            "--deliveryGuarantee=exactly_once",
            "--externalizedCheckpointsEnabled=true",
            "--retainExternalizedCheckpointsOnCancellation=true",
            "--numberOfExecutionRetries=0",
            "--flinkConfDir=" + conf);

    try (StreamLosslessTest.Outputs out =
        StreamLosslessTest.Outputs.tailCommitted(STREAM.broker(), topics)) {
      PipelineResult first =
          StreamJobs.start(StreamJobs.options(STREAM.broker(), STREAM.registry(), flags));
      StreamJobs.awaitRunning(first, Duration.ofSeconds(60));
      EventFeed feed =
          EventFeed.start(
              STREAM.broker().bootstrapServers(), topics.clicks, topics.orders, messages, 25, true);
      assertTrue("the first job committed nothing", out.awaitAtLeast(20, Duration.ofSeconds(90)));
      // Beam's exactly-once writer records its id in state only with its first transaction: a
      // checkpoint from before that cannot be restored ("Kafka metadata exists ... but there is no
      // stored state"), so stop once a checkpoint after the first committed output completed.
      awaitCheckpointAfter(checkpoints, System.currentTimeMillis(), Duration.ofSeconds(60));
      StreamJobs.cancel(first);
      System.out.printf(
          "exactly once: cancelled with %d of %d sent, %d committed outputs%n",
          feed.sent(), messages.size(), out.total());
      long sentAtCancel = feed.sent();
      long committedAtCancel = out.total();
      Path checkpoint = StreamLosslessTest.latestCheckpoint(checkpoints);

      PipelineResult second =
          StreamJobs.start(
              StreamJobs.options(
                  STREAM.broker(),
                  STREAM.registry(),
                  StreamSavepointUpgradeTest.with(flags, "--savepointPath=" + checkpoint.toUri())));
      feed.await(Duration.ofSeconds(120));
      StreamLosslessTest.Accounting accounting = out.awaitAccounted(Duration.ofSeconds(90));
      out.predictions.awaitQuiet(Duration.ofSeconds(4), Duration.ofSeconds(30));
      accounting = out.account();
      StreamJobs.cancel(second);

      System.out.printf(
          "exactly once: %d messages, %d sent and %d committed outputs when the first job was cancelled;"
              + " restarted from %s; %s%n",
          accounting.sent, sentAtCancel, committedAtCancel, checkpoint.getFileName(), accounting);
      assertThat("messages with no outcome", accounting.missing, empty());
      assertThat("messages with more than one outcome", accounting.repeated, empty());
      assertEquals("repeated predictions", 0, accounting.repeatedPredictions);
      assertEquals("outcomes beyond one per message", 0, accounting.repeatedOutcomes);
      assertThat(accounting.predictions, greaterThan(0L));
    }
  }
}
