package io.beamml.runners.stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.testdata.GeneratorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * The audit trail of the stream on a real broker and embedded Flink: for every prediction on the
 * predictions topic exactly one audit record on the audit topic, with the same event id, customer,
 * score and the champion's model version, keyed like the prediction by the pseudonymised customer.
 */
public class StreamAuditTest {

  @ClassRule
  public static final StreamTestBed STREAM =
      StreamTestBed.create()
          .withChampion(2)
          .withEvents(
              GeneratorConfig.of(40, 2, 23)
                  .withBadRowRate(0)
                  .withDuplicateRate(0)
                  .withIncludeOversizedLines(false));

  @Test
  public void everyPredictionHasOneAuditRecordWithItsEventIdAndModelVersion() throws Exception {
    String registry = STREAM.registry();
    String version = STREAM.champion();
    Path data = STREAM.data();
    List<ReplayEvents.Message> messages = ReplayEvents.load(data);
    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(STREAM.broker(), "audited");
    EventFeed.start(
            STREAM.broker().bootstrapServers(), topics.clicks, topics.orders, messages, 0, true)
        .await(Duration.ofSeconds(60));

    try (TopicTail predictions =
            TopicTail.start(STREAM.broker().bootstrapServers(), topics.predictions);
        TopicTail audit = TopicTail.start(STREAM.broker().bootstrapServers(), topics.audit)) {
      PipelineResult job =
          StreamJobs.start(
              StreamJobs.options(
                  STREAM.broker(),
                  registry,
                  topics.flags(
                      "--profiles=" + data.resolve("profiles") + "/*.csv",
                      "--consumerGroup=audited",
                      // Rows as events arrive: no wait for the watermark to pass the allowed
                      // lateness.
                      "--featureMode=low_latency",
                      "--jobName=audited-stream")));
      try {
        assertTrue(
            "the stream did not score every event in time",
            predictions.awaitCount(messages.size(), Duration.ofSeconds(45)));
        assertTrue(
            "audit records missing", audit.awaitCount(messages.size(), Duration.ofSeconds(15)));
        audit.awaitQuiet(Duration.ofSeconds(2), Duration.ofSeconds(10));
      } finally {
        StreamJobs.cancel(job);
      }

      Map<String, JsonNode> predicted = new HashMap<>();
      for (TopicTail.Received r : predictions.records()) {
        JsonNode p = StreamLosslessTest.read(r.value());
        predicted.put(p.path("event_id").asText(), p);
      }
      assertEquals(
          "one prediction per event",
          messages.stream().map(ReplayEvents.Message::id).collect(Collectors.toSet()),
          predicted.keySet());

      Map<String, Integer> audits = new HashMap<>();
      for (TopicTail.Received r : audit.records()) {
        JsonNode a = StreamLosslessTest.read(r.value());
        String id = a.path("event_id").asText();
        audits.merge(id, 1, Integer::sum);
        JsonNode p = predicted.get(id);
        assertTrue("an audit record without a prediction: " + id, p != null);
        assertEquals(version, a.path("model_version").asText());
        assertEquals(p.path("model_version").asText(), a.path("model_version").asText());
        assertEquals(p.path("model_name").asText(), a.path("model_name").asText());
        assertEquals(p.path("customer_key").asText(), a.path("customer_key").asText());
        assertEquals(p.path("customer_key").asText(), r.key());
        assertEquals(p.path("score").asDouble(), a.path("score").asDouble(), 0.0);
        assertEquals(p.path("event_time").asText(), a.path("event_time").asText());
        assertEquals("audited-stream", a.path("run_id").asText());
      }
      assertEquals("audited events", predicted.keySet(), audits.keySet());
      assertTrue(
          "an event audited twice: " + audits, audits.values().stream().allMatch(n -> n == 1));
      System.out.printf(
          "audit: %d predictions, %d audit records, model version %s%n",
          predicted.size(), audit.count(), version);
    }
  }
}
