package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.runners.commands.StopStreamCommand;
import io.beamml.testdata.GeneratorConfig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * A savepoint upgrade on embedded Flink loses and repeats nothing, and keeps the state: the stream
 * is stopped mid-input with {@code ./pipeline stop-stream} (Flink's REST API of the embedded
 * cluster, {@code --embeddedRestPort}), a changed job (one more output: the feature rows topic) is
 * started from the savepoint with {@code --savepointPath}, and across the two runs every message
 * sent has exactly one outcome (prediction, caught duplicate or dead letter). The resumed job's
 * feature rows count the events the first job saw: each row's event counts equal the customer's
 * events predicted at or before it, in either run, so the feature histories came through.
 */
public class StreamSavepointUpgradeTest {

  @ClassRule
  public static final StreamTestBed STREAM =
      StreamTestBed.create()
          .withChampion(1)
          .withEvents(GeneratorConfig.of(60, 5, 23).withIncludeOversizedLines(false));

  @Test
  public void aChangedJobResumesFromTheSavepointWithEveryEventOnce() throws Exception {
    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(STREAM.broker(), "upgrade");
    String featuresTopic = "upgrade-features";
    STREAM.broker().createTopic(featuresTopic, 2);
    List<ReplayEvents.Message> messages = ReplayEvents.load(STREAM.data());
    int restPort = freePort();
    String savepoints = STREAM.newFolder("savepoints").toString();
    String[] flags =
        topics.flags(
            "--profiles=" + STREAM.data().resolve("profiles") + "/*.csv",
            "--consumerGroup=upgrade",
            "--featureMode=exact",
            "--allowedLateness=PT5S",
            "--numberOfExecutionRetries=0");

    try (StreamLosslessTest.Outputs out = StreamLosslessTest.Outputs.tail(STREAM.broker(), topics);
        TopicTail features = TopicTail.start(STREAM.broker().bootstrapServers(), featuresTopic)) {
      PipelineResult first =
          StreamJobs.start(
              StreamJobs.options(
                  STREAM.broker(),
                  STREAM.registry(),
                  with(flags, "--embeddedRestPort=" + restPort)));
      StreamJobs.awaitRunning(first, Duration.ofSeconds(60));
      EventFeed feed =
          EventFeed.start(
              STREAM.broker().bootstrapServers(), topics.clicks, topics.orders, messages, 8, true);
      // EXACT rows wait for the watermark (out-of-orderness + lateness): the first outputs show
      // after ~10 s. The feed (8 messages/s, about 70 s) must still be running when the job stops.
      assertTrue("the first job produced nothing", out.awaitAtLeast(10, Duration.ofSeconds(90)));

      long t0 = System.nanoTime();
      System.out.printf(
          "upgrade: %d of %d sent, %d outputs; stopping%n",
          feed.sent(), messages.size(), out.total());
      int stopped =
          new StopStreamCommand()
              .run(
                  new String[] {
                    "--flinkMaster=127.0.0.1:" + restPort, "--savepointDir=" + savepoints
                  });
      assertEquals(0, stopped);
      awaitStopped(first);
      long sentAtStop = feed.sent();
      System.out.printf(
          "upgrade: stopped after %d ms, %d sent%n",
          (System.nanoTime() - t0) / 1_000_000, sentAtStop);
      long outputsAtStop = out.total();
      Path savepoint = onlySavepoint(Path.of(savepoints));
      assertFalse(
          "the feed ended before the stop ("
              + messages.size()
              + " messages): the test would prove nothing",
          feed.finished());

      PipelineResult second =
          StreamJobs.start(
              StreamJobs.options(
                  STREAM.broker(),
                  STREAM.registry(),
                  with(
                      with(flags, "--featuresTopic=" + featuresTopic),
                      "--savepointPath=" + savepoint.toUri())));
      feed.await(Duration.ofSeconds(120));
      StreamLosslessTest.Accounting accounting = out.awaitAccounted(Duration.ofSeconds(90));
      // Outputs still on their way would show up as repeats: wait until the outputs are quiet.
      out.predictions.awaitQuiet(Duration.ofSeconds(3), Duration.ofSeconds(30));
      accounting = out.account();
      StreamJobs.cancel(second);

      System.out.printf(
          "savepoint upgrade: %d messages, %d sent and %d outputs when stopped with %s; %s;"
              + " %d feature rows from the resumed job%n",
          accounting.sent,
          sentAtStop,
          outputsAtStop,
          savepoint.getFileName(),
          accounting,
          features.count());
      assertThat("messages with no outcome", accounting.missing, empty());
      assertThat("messages with more than one outcome each", accounting.repeated, empty());
      assertEquals("outcomes beyond one per message (repeats)", 0, accounting.repeatedOutcomes);
      assertEquals("repeated predictions", 0, accounting.repeatedPredictions);
      assertThat("the resumed job wrote no feature rows", features.count(), greaterThan(0L));
      assertThat(
          "feature rows whose counts miss events the first job saw",
          wrongCounts(out, features),
          empty());
    }
  }

  /**
   * Feature rows of the resumed job whose 7-day event counts differ from the number of that
   * customer's predicted events (both runs) at or before the row's time: the feed runs for well
   * under 7 days, so every earlier event of the customer is in the window.
   */
  private static List<String> wrongCounts(StreamLosslessTest.Outputs out, TopicTail features) {
    Map<String, List<Instant>> predictedTimes = new HashMap<>();
    for (TopicTail.Received p : out.predictions.records()) {
      JsonNode node = StreamLosslessTest.read(p.value());
      predictedTimes
          .computeIfAbsent(node.path("customer_key").asText(), k -> new ArrayList<>())
          .add(Instant.parse(node.path("event_time").asText()));
    }
    List<String> wrong = new ArrayList<>();
    for (TopicTail.Received r : features.records()) {
      JsonNode row = StreamLosslessTest.read(r.value());
      Instant asOf = Instant.parse(row.path("event_time").asText());
      long expected =
          predictedTimes.getOrDefault(row.path("customer_key").asText(), List.of()).stream()
              .filter(t -> !t.isAfter(asOf))
              .count();
      long counted =
          Math.round(
              row.path("views_7d").asDouble()
                  + row.path("clicks_7d").asDouble()
                  + row.path("carts_7d").asDouble()
                  + row.path("orders_7d").asDouble());
      if (counted != expected) {
        wrong.add(
            row.path("event_id").asText()
                + " counts "
                + counted
                + " events, "
                + expected
                + " were predicted");
      }
    }
    return wrong;
  }

  private static void awaitStopped(PipelineResult job) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (JobControl.running(job)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the job still runs after its stop with a savepoint");
      }
      Thread.sleep(100);
    }
  }

  static Path onlySavepoint(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found =
          files.filter(p -> Files.exists(p.resolve("_metadata"))).collect(Collectors.toList());
      assertEquals("savepoints under " + dir, 1, found.size());
      return found.get(0);
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String[] with(String[] flags, String flag) {
    List<String> all = new ArrayList<>(List.of(flags));
    all.add(flag);
    return all.toArray(new String[0]);
  }
}
