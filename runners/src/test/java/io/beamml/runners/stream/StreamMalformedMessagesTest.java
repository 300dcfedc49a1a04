package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.in;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.testdata.GeneratorConfig;
import io.beamml.transforms.deadletter.Reasons;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Hostile messages mixed into both input topics never fail the job: random bytes, invalid UTF-8,
 * JSON nested 10,000 deep, 900 kB lines, empty values and tombstones each become exactly one dead
 * letter, every valid event still gets its prediction, and the job (run with restarts off, so any
 * failure would end it) is still running afterwards.
 */
public class StreamMalformedMessagesTest {

  @ClassRule
  public static final StreamTestBed STREAM =
      StreamTestBed.create()
          .withChampion(1)
          .withEvents(
              GeneratorConfig.of(10, 2, 41)
                  .withBadRowRate(0)
                  .withDuplicateRate(0)
                  .withIncludeOversizedLines(false));

  /**
   * One hostile message of each kind, each a dead letter with one of {@link #EXPECTED_REASONS}; the
   * random bytes come from {@code random}, so each call's differ.
   */
  static List<byte[]> hostile(Random random) {
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      byte[] bytes = new byte[50 + random.nextInt(500)];
      random.nextBytes(bytes);
      bytes[0] = (byte) 0xff; // never valid UTF-8, whatever follows
      messages.add(bytes);
    }
    messages.add(
        "{\"event_id\":\"E1\",\"customer_id\":\"C\u00001\"}".getBytes(StandardCharsets.UTF_8));
    messages.add(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'});
    messages.add(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}); // a UTF-16 surrogate as UTF-8
    messages.add(
        ("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)).getBytes(StandardCharsets.UTF_8));
    messages.add(("[".repeat(10_000) + "]".repeat(10_000)).getBytes(StandardCharsets.UTF_8));
    messages.add(("{\"event_id\":\"" + "x".repeat(900_000)).getBytes(StandardCharsets.UTF_8));
    messages.add(" ".repeat(900_000).getBytes(StandardCharsets.UTF_8));
    messages.add(new byte[0]);
    messages.add(null); // a tombstone: a message without a value
    return messages;
  }

  static final List<String> EXPECTED_REASONS =
      List.of(
          Reasons.INVALID_UTF8,
          "malformed_json",
          "missing_required_field",
          "wrong_type",
          "blank_line");

  @Test
  public void everyHostileMessageIsOneDeadLetterAndTheJobKeepsRunning() throws Exception {
    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(STREAM.broker(), "hostile");
    List<ReplayEvents.Message> valid = ReplayEvents.load(STREAM.data());
    List<byte[]> hostile = hostile(new Random(13));

    try (StreamLosslessTest.Outputs out = StreamLosslessTest.Outputs.tail(STREAM.broker(), topics);
        TopicTail deadLetters =
            TopicTail.start(STREAM.broker().bootstrapServers(), topics.deadLetters)) {
      PipelineResult job = startWithRestartsOff(STREAM, topics, "hostile");
      StreamJobs.awaitRunning(job, Duration.ofSeconds(60));
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, STREAM.broker().bootstrapServers());
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
        int h = 0;
        for (int i = 0; i < valid.size(); i++) {
          ReplayEvents.Message m = valid.get(i).at(System.currentTimeMillis());
          String topic = m.kind() == ReplayEvents.Kind.CLICK ? topics.clicks : topics.orders;
          producer
              .send(
                  new ProducerRecord<>(
                      topic,
                      m.id().getBytes(StandardCharsets.UTF_8),
                      m.value().getBytes(StandardCharsets.UTF_8)))
              .get();
          if (i % 5 == 0 && h < hostile.size() * 2) {
            // every hostile message once into each topic, spread among the valid ones
            byte[] bad = hostile.get(h % hostile.size());
            producer
                .send(
                    new ProducerRecord<>(
                        h < hostile.size() ? topics.clicks : topics.orders, null, bad))
                .get();
            h++;
          }
        }
        while (h < hostile.size() * 2) {
          byte[] bad = hostile.get(h % hostile.size());
          producer
              .send(
                  new ProducerRecord<>(
                      h < hostile.size() ? topics.clicks : topics.orders, null, bad))
              .get();
          h++;
        }
      }
      int expectedDead = hostile.size() * 2;
      assertTrue(
          "predictions missing", out.predictions.awaitCount(valid.size(), Duration.ofSeconds(120)));
      List<TopicTail.Received> letters =
          inputDeadLetters(deadLetters, expectedDead, Duration.ofSeconds(60));
      deadLetters.awaitQuiet(Duration.ofSeconds(3), Duration.ofSeconds(20));
      letters = inputDeadLetters(deadLetters, expectedDead, Duration.ZERO);
      boolean running = JobControl.running(job);
      StreamJobs.cancel(job);

      Map<String, Integer> reasons = reasons(letters);
      System.out.printf(
          "hostile messages: %d valid events -> %d predictions; %d hostile messages -> %d dead letters %s;"
              + " job running at the end: %s%n",
          valid.size(), out.predictions.count(), expectedDead, letters.size(), reasons, running);
      assertTrue("the job stopped (a hostile message failed it)", running);
      assertEquals("predictions", valid.size(), out.predictions.count());
      assertEquals("dead letters, one per hostile message", expectedDead, letters.size());
      assertThat(reasons.keySet(), everyItem(in(EXPECTED_REASONS)));
    }
  }

  /**
   * Starts the stream (low_latency features) on {@code topics} as consumer group {@code group},
   * with restarts off: a message that failed the job would end it.
   */
  static PipelineResult startWithRestartsOff(
      StreamTestBed stream, StreamLosslessTest.Topics topics, String group) {
    String[] flags =
        topics.flags(
            "--profiles=" + stream.data().resolve("profiles") + "/*.csv",
            "--consumerGroup=" + group,
            "--featureMode=low_latency",
            "--numberOfExecutionRetries=0");
    return StreamJobs.start(StreamJobs.options(stream.broker(), stream.registry(), flags));
  }

  /** Dead letters counted by reason. */
  static Map<String, Integer> reasons(List<TopicTail.Received> letters) {
    Map<String, Integer> reasons = new TreeMap<>();
    for (TopicTail.Received d : letters) {
      reasons.merge(StreamLosslessTest.read(d.value()).path("reason").asText(), 1, Integer::sum);
    }
    return reasons;
  }

  /**
   * The dead letters of the two topics' sources (not the profile files'), once at least {@code n}
   * came.
   */
  static List<TopicTail.Received> inputDeadLetters(TopicTail tail, int n, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<TopicTail.Received> found = new ArrayList<>();
      for (TopicTail.Received d : tail.records()) {
        if (!"profiles".equals(StreamLosslessTest.read(d.value()).path("source").asText())) {
          found.add(d);
        }
      }
      if (found.size() >= n || System.nanoTime() > deadline) {
        return found;
      }
      Thread.sleep(200);
    }
  }
}
