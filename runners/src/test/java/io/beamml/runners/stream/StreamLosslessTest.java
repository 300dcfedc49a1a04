package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.local.EmbeddedKafkaBroker;
import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.runners.local.KafkaBrokerResource;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Nothing is lost on a real broker: every message sent to the clicks and orders topics comes out of
 * the job as a prediction, a caught duplicate or a dead letter, also when the job is cancelled
 * mid-stream and started again with the same consumer group from its last retained checkpoint. What
 * the restart repeats (the at-least-once guarantee: whatever the first job wrote after that
 * checkpoint is written again) is counted and printed.
 *
 * <p>The restart restores the checkpoint, not just the group's committed offsets: those offsets are
 * committed with each checkpoint, when EXACT-mode rows of the events behind them may still wait in
 * the job's state for the watermark; a job started afresh from the offsets alone would never emit
 * those rows. The test hands Flink the checkpoint through a configuration directory ({@code
 * execution.savepoint.path}), which is what {@code --savepointPath} becomes on embedded Flink
 * (EmbeddedFlinkConf).
 */
public class StreamLosslessTest {

  static {
    StreamJobs.quietLogs();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();

  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();
  private static String registry;
  private static Path data;

  @BeforeClass
  public static void setUp() throws Exception {
    registry = WORK.newFolder("registry").toString();
    RegisteredModels.registerChampion(registry, 1);
    data = WORK.newFolder("data").toPath();
    DataGenerator.generate(GeneratorConfig.of(60, 5, 11).withIncludeOversizedLines(false), data);
  }

  @Test
  public void everyEventComesOutAlsoAcrossARestart() throws Exception {
    Topics topics = Topics.create(KAFKA.broker(), "lossless");
    List<ReplayEvents.Message> messages = ReplayEvents.load(data);
    Path checkpoints = WORK.newFolder("checkpoints").toPath();
    String[] flags =
        topics.flags(
            "--profiles=" + data.resolve("profiles") + "/*.csv",
            "--consumerGroup=lossless",
            "--featureMode=exact",
            "--allowedLateness=PT5S",
            "--externalizedCheckpointsEnabled=true",
            "--retainExternalizedCheckpointsOnCancellation=true");

    try (Outputs out = Outputs.tail(KAFKA.broker(), topics)) {
      PipelineResult first =
          StreamJobs.start(
              StreamJobs.options(
                  KAFKA.broker(),
                  registry,
                  with(flags, "--flinkConfDir=" + flinkConf("first", checkpoints, null))));
      StreamJobs.awaitRunning(first, Duration.ofSeconds(60));
      EventFeed feed =
          EventFeed.start(
              KAFKA.broker().bootstrapServers(), topics.clicks, topics.orders, messages, 20, true);
      assertTrue(
          "the first job produced nothing",
          out.awaitAtLeast(messages.size() / 5, Duration.ofSeconds(90)));
      StreamJobs.cancel(first);
      long sentBeforeRestart = feed.sent();
      long beforeRestart = out.total();
      Path checkpoint = latestCheckpoint(checkpoints);

      PipelineResult second =
          StreamJobs.start(
              StreamJobs.options(
                  KAFKA.broker(),
                  registry,
                  with(flags, "--flinkConfDir=" + flinkConf("second", checkpoints, checkpoint))));
      feed.await(Duration.ofSeconds(120));
      Accounting accounting = out.awaitAccounted(Duration.ofSeconds(90));
      StreamJobs.cancel(second);

      System.out.printf(
          "lossless: %d messages sent, %d of them before the first job was cancelled, which had"
              + " written %d outputs; restarted from %s; %s%n",
          accounting.sent, sentBeforeRestart, beforeRestart, checkpoint.getFileName(), accounting);
      assertThat(
          "messages with no prediction, duplicate or dead letter", accounting.missing, empty());
      assertThat(accounting.predictions, greaterThan(0L));
    }
  }

  static String[] with(String[] flags, String flag) {
    List<String> all = new ArrayList<>(List.of(flags));
    all.add(flag);
    return all.toArray(new String[0]);
  }

  /**
   * A Flink configuration directory: checkpoints under {@code checkpoints}, and the job restored
   * from {@code restoreFrom} when given.
   */
  static Path flinkConf(String name, Path checkpoints, Path restoreFrom) throws IOException {
    Path dir = WORK.newFolder("conf-" + name).toPath();
    List<String> lines = new ArrayList<>(List.of("state.checkpoints.dir: " + checkpoints.toUri()));
    if (restoreFrom != null) {
      lines.add("execution.savepoint.path: " + restoreFrom.toUri());
    }
    Files.write(dir.resolve("flink-conf.yaml"), lines, StandardCharsets.UTF_8);
    return dir;
  }

  /** The newest complete checkpoint (a chk-N directory with its _metadata) under {@code dir}. */
  static Path latestCheckpoint(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(f -> f.getFileName().toString().equals("_metadata"))
          .map(Path::getParent)
          .filter(p -> p.getFileName().toString().startsWith("chk-"))
          .max(
              Comparator.comparingLong(
                  p -> Long.parseLong(p.getFileName().toString().substring(4))))
          .orElseThrow(() -> new AssertionError("the first job left no checkpoint under " + dir));
    }
  }

  /** The five topics of one test, named apart from other tests' on the same broker. */
  static final class Topics {
    final String clicks;
    final String orders;
    final String predictions;
    final String deadLetters;
    final String duplicates;
    final String audit;
    final String drift;

    private Topics(String prefix) {
      clicks = prefix + "-clicks";
      orders = prefix + "-orders";
      predictions = prefix + "-predictions";
      deadLetters = prefix + "-dead-letters";
      duplicates = prefix + "-duplicates";
      audit = prefix + "-audit";
      drift = prefix + "-drift";
    }

    static Topics create(EmbeddedKafkaBroker broker, String prefix) {
      Topics t = new Topics(prefix);
      broker.createTopic(t.clicks, 2);
      broker.createTopic(t.orders, 2);
      broker.createTopic(t.predictions, 2);
      broker.createTopic(t.deadLetters, 1);
      broker.createTopic(t.duplicates, 1);
      broker.createTopic(t.audit, 2);
      broker.createTopic(t.drift, 1);
      return t;
    }

    String[] flags(String... extra) {
      List<String> flags =
          new ArrayList<>(
              List.of(
                  "--clicksTopic=" + clicks,
                  "--ordersTopic=" + orders,
                  "--predictionsTopic=" + predictions,
                  "--deadLettersTopic=" + deadLetters,
                  "--duplicatesTopic=" + duplicates,
                  "--auditTopic=" + audit,
                  "--driftTopic=" + drift));
      flags.addAll(List.of(extra));
      return flags.toArray(new String[0]);
    }
  }

  /** Tails of the input and output topics, and the accounting of one against the other. */
  static final class Outputs implements AutoCloseable {
    final TopicTail clicks;
    final TopicTail orders;
    final TopicTail predictions;
    final TopicTail deadLetters;
    final TopicTail duplicates;

    private Outputs(EmbeddedKafkaBroker broker, Topics topics, boolean readCommitted) {
      String servers = broker.bootstrapServers();
      clicks = TopicTail.start(servers, topics.clicks);
      orders = TopicTail.start(servers, topics.orders);
      predictions = TopicTail.start(servers, topics.predictions, readCommitted);
      deadLetters = TopicTail.start(servers, topics.deadLetters, readCommitted);
      duplicates = TopicTail.start(servers, topics.duplicates, readCommitted);
    }

    static Outputs tail(EmbeddedKafkaBroker broker, Topics topics) {
      return new Outputs(broker, topics, false);
    }

    /** The outputs as a read_committed consumer sees them (an exactly-once job's readers). */
    static Outputs tailCommitted(EmbeddedKafkaBroker broker, Topics topics) {
      return new Outputs(broker, topics, true);
    }

    long total() {
      return predictions.count() + deadLetters.count() + duplicates.count();
    }

    boolean awaitAtLeast(long n, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (total() < n) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(100);
      }
      return true;
    }

    /** Waits until every input message is accounted for, or the time is up; the accounting then. */
    Accounting awaitAccounted(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      Accounting accounting = account();
      while (!accounting.missing.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(500);
        accounting = account();
      }
      return accounting;
    }

    /**
     * Matches outputs to inputs: a parse failure's dead letter carries the message itself as raw, a
     * validate failure's the parsed record as JSON (so its id), predictions and duplicates the
     * event id. Each input message must have at least one outcome; outcomes beyond the messages are
     * what a restart repeated.
     */
    Accounting account() {
      List<TopicTail.Received> sent = new ArrayList<>(clicks.records());
      sent.addAll(orders.records());
      Map<String, Integer> deadByRaw = new HashMap<>();
      Map<String, Integer> deadById = new HashMap<>();
      for (TopicTail.Received d : deadLetters.records()) {
        if ("profiles".equals(read(d.value()).path("source").asText())) {
          // The profile files are read afresh by every job started, their dead letters with them.
          continue;
        }
        String raw = read(d.value()).path("raw").asText();
        deadByRaw.merge(raw, 1, Integer::sum);
        String id = idOf(raw);
        if (id != null) {
          deadById.merge(id, 1, Integer::sum);
        }
      }
      Map<String, Integer> predicted = countById(predictions.records());
      Map<String, Integer> caught = countById(duplicates.records());
      Map<String, Integer> copies = new HashMap<>();
      Map<String, Integer> unparsedCopies = new HashMap<>();
      for (TopicTail.Received m : sent) {
        if (deadByRaw.containsKey(m.value())) {
          unparsedCopies.merge(m.value(), 1, Integer::sum);
        } else {
          copies.merge(String.valueOf(m.key()), 1, Integer::sum);
        }
      }
      Accounting a = new Accounting();
      a.sent = sent.size();
      a.predictions = predictions.count();
      a.duplicates = duplicates.count();
      a.deadLetters = deadLetters.count();
      for (Map.Entry<String, Integer> e : copies.entrySet()) {
        int p = predicted.getOrDefault(e.getKey(), 0);
        int d = caught.getOrDefault(e.getKey(), 0);
        int dead = deadById.getOrDefault(e.getKey(), 0);
        if (p + d + dead < e.getValue()) {
          a.missing.add(
              e.getKey()
                  + " (sent "
                  + e.getValue()
                  + ", predicted "
                  + p
                  + ", duplicates "
                  + d
                  + ", dead letters "
                  + dead
                  + ")");
        } else {
          a.repeatedPredictions += Math.max(0, p - 1);
          a.repeatedOutcomes += p + d + dead - e.getValue();
          if (p + d + dead > e.getValue()) {
            a.repeated.add(
                e.getKey()
                    + " (sent "
                    + e.getValue()
                    + ", predicted "
                    + p
                    + ", duplicates "
                    + d
                    + ", dead letters "
                    + dead
                    + ")");
          }
        }
      }
      for (Map.Entry<String, Integer> e : unparsedCopies.entrySet()) {
        a.repeatedOutcomes += deadByRaw.get(e.getKey()) - e.getValue();
        if (deadByRaw.get(e.getKey()) > e.getValue()) {
          a.repeated.add(
              e.getKey()
                  + " (sent "
                  + e.getValue()
                  + ", dead letters "
                  + deadByRaw.get(e.getKey())
                  + ")");
        }
      }
      return a;
    }

    private static String idOf(String raw) {
      try {
        JsonNode node = JSON.readTree(raw);
        if (node == null || !node.isObject()) {
          return null;
        }
        JsonNode id = node.has("event_id") ? node.get("event_id") : node.get("order_id");
        return id != null && id.isTextual() ? id.asText() : null;
      } catch (IOException notJson) {
        return null;
      }
    }

    private static Map<String, Integer> countById(List<TopicTail.Received> records) {
      Map<String, Integer> counts = new HashMap<>();
      for (TopicTail.Received r : records) {
        counts.merge(read(r.value()).path("event_id").asText(), 1, Integer::sum);
      }
      return counts;
    }

    @Override
    public void close() throws InterruptedException {
      for (TopicTail t : List.of(clicks, orders, predictions, deadLetters, duplicates)) {
        t.close();
      }
    }
  }

  /** How the inputs came out. */
  static final class Accounting {
    long sent;
    long predictions;
    long duplicates;
    long deadLetters;
    long repeatedPredictions;
    long repeatedOutcomes;
    final List<String> missing = new ArrayList<>();

    /** Messages with more outcomes than copies sent, as the test saw them. */
    final List<String> repeated = new ArrayList<>();

    @Override
    public String toString() {
      return String.format(
          "%d predictions (%d of them repeats of an event already predicted), %d duplicates caught,"
              + " %d dead letters; %d outcomes more than messages sent; %d messages unaccounted",
          predictions,
          repeatedPredictions,
          duplicates,
          deadLetters,
          repeatedOutcomes,
          missing.size());
    }
  }

  static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
