package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.in;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.testdata.GeneratorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Fault test ({@code -Pfaults}): for a minute, hostile messages (random bytes, invalid UTF-8,
 * 10,000-deep JSON, 900 kB lines, empty values, tombstones; see {@link
 * StreamMalformedMessagesTest#hostile}) are mixed into both input topics of a running stream, four
 * a second, beside a live feed of valid events. The job runs with restarts off, so a message that
 * failed it would end it: it must still be running at the end, every valid event must have one
 * prediction and every hostile message one dead letter. Prints the figures.
 */
public class StreamHostileFeedFaultTest {

  private static final Duration FEED = Duration.ofSeconds(60);
  private static final long HOSTILE_EVERY_MILLIS = 250;

  @ClassRule
  public static final StreamTestBed STREAM =
      StreamTestBed.create()
          .withChampion(1)
          .withEvents(
              GeneratorConfig.of(100, 7, 71)
                  .withBadRowRate(0)
                  .withDuplicateRate(0)
                  .withIncludeOversizedLines(false));

  @Test
  public void aMinuteOfHostileMessagesIsOneDeadLetterEachAndTheJobNeverRestarts() throws Exception {
    StreamLosslessTest.Topics topics =
        StreamLosslessTest.Topics.create(STREAM.broker(), "hostile-feed");
    List<ReplayEvents.Message> valid = ReplayEvents.load(STREAM.data());

    try (StreamLosslessTest.Outputs out = StreamLosslessTest.Outputs.tail(STREAM.broker(), topics);
        TopicTail deadLetters =
            TopicTail.start(STREAM.broker().bootstrapServers(), topics.deadLetters)) {
      PipelineResult job =
          StreamMalformedMessagesTest.startWithRestartsOff(STREAM, topics, "hostile-feed");
      try {
        StreamJobs.awaitRunning(job, Duration.ofSeconds(60));
        long started = System.nanoTime();
        long hostileSent;
        try (EventFeed feed =
            EventFeed.start(
                STREAM.broker().bootstrapServers(),
                topics.clicks,
                topics.orders,
                valid,
                valid.size() / (double) FEED.toSeconds(),
                true)) {
          hostileSent = sendHostileWhile(feed, topics, started);
          feed.await(Duration.ofSeconds(120));
        }
        long fedMillis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(
            "predictions missing",
            out.predictions.awaitCount(valid.size(), Duration.ofSeconds(180)));
        StreamMalformedMessagesTest.inputDeadLetters(
            deadLetters, (int) hostileSent, Duration.ofSeconds(120));
        out.predictions.awaitQuiet(Duration.ofSeconds(5), Duration.ofSeconds(30));
        deadLetters.awaitQuiet(Duration.ofSeconds(5), Duration.ofSeconds(30));
        List<TopicTail.Received> letters =
            StreamMalformedMessagesTest.inputDeadLetters(deadLetters, 0, Duration.ZERO);
        boolean running = JobControl.running(job);

        Map<String, Integer> reasons = StreamMalformedMessagesTest.reasons(letters);
        Map<String, Long> predictionsPerId =
            out.predictions.records().stream()
                .collect(
                    Collectors.groupingBy(
                        r -> StreamLosslessTest.read(r.value()).path("event_id").asText(),
                        Collectors.counting()));
        System.out.printf(
            "hostile feed: %d s of feed; %d valid events -> %d predictions (%d ids, %d repeated);"
                + " %d hostile messages -> %d dead letters %s; job running at the end: %s%n",
            fedMillis / 1000,
            valid.size(),
            out.predictions.count(),
            predictionsPerId.size(),
            out.predictions.count() - predictionsPerId.size(),
            hostileSent,
            letters.size(),
            reasons,
            running);
        assertTrue("the job stopped (a hostile message failed it)", running);
        assertEquals(
            "valid events predicted",
            valid.stream().map(ReplayEvents.Message::id).collect(Collectors.toSet()),
            predictionsPerId.keySet());
        assertEquals("predictions, one per valid event", valid.size(), out.predictions.count());
        assertEquals("dead letters, one per hostile message", hostileSent, letters.size());
        assertThat(reasons.keySet(), everyItem(in(StreamMalformedMessagesTest.EXPECTED_REASONS)));
      } finally {
        StreamJobs.cancel(job);
      }
    }
  }

  /**
   * Sends hostile messages, alternating between the two topics, until the feed has finished and a
   * minute has passed since {@code startedNanos}; returns how many were acknowledged.
   */
  private static long sendHostileWhile(
      EventFeed feed, StreamLosslessTest.Topics topics, long startedNanos) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, STREAM.broker().bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    Random random = new Random(29);
    List<byte[]> round = List.of();
    int next = 0;
    long sent = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      while (!feed.finished() || System.nanoTime() - startedNanos < FEED.toNanos()) {
        if (next == round.size()) {
          round = StreamMalformedMessagesTest.hostile(random);
          next = 0;
        }
        String topic = sent % 2 == 0 ? topics.clicks : topics.orders;
        producer.send(new ProducerRecord<>(topic, null, round.get(next++))).get();
        sent++;
        Thread.sleep(HOSTILE_EVERY_MILLIS);
      }
    }
    return sent;
  }
}
