package io.beamml.runners.stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.runners.local.KafkaBrokerResource;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import io.beamml.training.quality.LabelledScore;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Live quality through the whole streaming job on a real broker and embedded Flink: generated
 * events on the clicks and orders topics, the generated responses (as JSON) on a responses topic;
 * the quality topic's last record per day, model version and variant holds exactly the rows,
 * positives and AUC computed here from the predictions topic itself (each response paired with its
 * customer's latest prediction at or before {@code sent_time}), and responses without one are not
 * measured.
 */
public class StreamQualityKafkaTest {

  static {
    StreamJobs.quietLogs();
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();

  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();

  record Pred(long time, double score, String version, String variant) {}

  @Test
  public void qualityRecordsEqualTheResponsesPairedWithThePredictionsTopic() throws Exception {
    String registry = WORK.newFolder("registry").toString();
    RegisteredModels.registerChampion(registry, 2);
    Path data = WORK.newFolder("data").toPath();
    DataGenerator.generate(
        GeneratorConfig.of(200, 6, 31)
            .withBadRowRate(0)
            .withDuplicateRate(0)
            .withIncludeOversizedLines(false),
        data);
    List<ReplayEvents.Message> messages = ReplayEvents.load(data);
    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(KAFKA.broker(), "quality");
    String responsesTopic = "quality-responses";
    String qualityTopic = "quality-quality";
    KAFKA.broker().createTopic(responsesTopic, 1);
    KAFKA.broker().createTopic(qualityTopic, 1);
    EventFeed.start(
            KAFKA.broker().bootstrapServers(), topics.clicks, topics.orders, messages, 0, false)
        .await(Duration.ofSeconds(60));
    List<String[]> responses = responses(data);
    produce(responsesTopic, responses);

    try (TopicTail predictions =
            TopicTail.start(KAFKA.broker().bootstrapServers(), topics.predictions);
        TopicTail quality = TopicTail.start(KAFKA.broker().bootstrapServers(), qualityTopic)) {
      PipelineResult job =
          StreamJobs.start(
              StreamJobs.options(
                  KAFKA.broker(),
                  registry,
                  topics.flags(
                      "--profiles=" + data.resolve("profiles") + "/*.csv",
                      "--consumerGroup=quality",
                      "--featureMode=low_latency",
                      "--maxOutOfOrderness=PT1H",
                      "--allowedLateness=PT1H",
                      "--responsesTopic=" + responsesTopic,
                      "--qualityTopic=" + qualityTopic,
                      // The generated promotions are months old: accept them all, and any earlier
                      // score.
                      "--responseLateness=P3650D",
                      "--scoreTtl=P3650D",
                      "--qualityRefresh=PT1S",
                      "--minPositives=1")));
      try {
        assertTrue(
            "the stream did not score every event in time",
            predictions.awaitCount(messages.size(), Duration.ofSeconds(90)));
        assertTrue("no quality records", quality.awaitCount(1, Duration.ofSeconds(60)));
        quality.awaitQuiet(Duration.ofSeconds(5), Duration.ofSeconds(60));
      } finally {
        StreamJobs.cancel(job);
      }

      Map<String, List<Pred>> byCustomer = new HashMap<>();
      for (TopicTail.Received r : predictions.records()) {
        JsonNode p = MAPPER.readTree(r.value());
        byCustomer
            .computeIfAbsent(p.path("customer_key").asText(), c -> new ArrayList<>())
            .add(
                new Pred(
                    OffsetDateTime.parse(p.path("event_time").asText()).toInstant().toEpochMilli(),
                    p.path("score").asDouble(),
                    p.path("model_version").asText(),
                    p.path("variant").asText()));
      }
      Pseudonymiser pseudonyms = new Pseudonymiser(StreamJobs.KEY);
      Map<String, List<double[]>> pairs = new TreeMap<>();
      int unmatched = 0;
      for (String[] r : responses) {
        long sent = OffsetDateTime.parse(r[2]).toInstant().toEpochMilli();
        Map<String, Pred> latest = new HashMap<>();
        for (Pred p : byCustomer.getOrDefault(pseudonyms.pseudonym(r[1]), List.of())) {
          String variant = p.version() + "/" + p.variant();
          Pred seen = latest.get(variant);
          if (p.time() <= sent
              && (seen == null
                  || p.time() > seen.time()
                  || (p.time() == seen.time() && p.score() > seen.score()))) {
            latest.put(variant, p);
          }
        }
        if (latest.isEmpty()) {
          unmatched++;
        }
        latest.forEach(
            (variant, p) ->
                pairs
                    .computeIfAbsent(
                        LabelledScore.day(sent) + "/" + variant, k -> new ArrayList<>())
                    .add(new double[] {p.score(), Double.parseDouble(r[3])}));
      }

      Map<String, JsonNode> last = new TreeMap<>();
      for (TopicTail.Received r : quality.records()) {
        JsonNode n = MAPPER.readTree(r.value());
        String k =
            n.path("day").asText()
                + "/"
                + n.path("model_version").asText()
                + "/"
                + n.path("variant").asText();
        assertEquals(
            n.path("model_name").asText()
                + ":"
                + n.path("model_version").asText()
                + "/"
                + n.path("variant").asText(),
            r.key());
        if (!last.containsKey(k)
            || last.get(k).path("pane_index").asLong() < n.path("pane_index").asLong()) {
          last.put(k, n);
        }
      }
      assertEquals("days measured", pairs.keySet(), last.keySet());
      assertFalse(pairs.isEmpty());
      long measured = 0;
      for (Map.Entry<String, List<double[]>> e : pairs.entrySet()) {
        JsonNode got = last.get(e.getKey());
        List<double[]> list = e.getValue();
        double pos = 0;
        double ranked = 0;
        for (double[] a : list) {
          pos += a[1];
          if (a[1] == 1) {
            for (double[] b : list) {
              if (b[1] == 0) {
                ranked += a[0] > b[0] ? 1 : a[0] == b[0] ? 0.5 : 0;
              }
            }
          }
        }
        double neg = list.size() - pos;
        assertEquals(e.getKey(), list.size(), got.path("rows").asLong());
        assertEquals(e.getKey(), (long) pos, got.path("positives").asLong());
        if (pos > 0 && neg > 0) {
          assertEquals(e.getKey(), ranked / (pos * neg), got.path("auc").asDouble(), 1e-12);
        } else {
          assertTrue(e.getKey(), got.path("auc").isNull());
        }
        measured += list.size();
      }
      System.out.printf(
          "stream quality: %d responses, %d measured over %d days, %d unmatched, %d records%n",
          responses.size(), measured, last.size(), unmatched, quality.count());
      assertTrue("some responses have no prediction before them", unmatched < responses.size());
    }
  }

  /** The generated responses, one per promotion: promo_id, customer_id, sent_time, responded. */
  private static List<String[]> responses(Path data) throws Exception {
    List<String[]> out = new ArrayList<>();
    Set<String> promos = new HashSet<>();
    for (String line :
        Files.readAllLines(data.resolve(DataGenerator.RESPONSES_FILE), StandardCharsets.UTF_8)) {
      String[] cells = line.split(",", -1);
      if (cells.length != 4 || cells[0].equals("promo_id")) {
        continue;
      }
      assertTrue("a promotion twice: " + cells[0], promos.add(cells[0]));
      out.add(cells);
    }
    return out;
  }

  private static void produce(String topic, List<String[]> responses) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.broker().bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (String[] r : responses) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("promo_id", r[0]);
        n.put("customer_id", r[1]);
        n.put("sent_time", r[2]);
        n.put("responded", Integer.parseInt(r[3]));
        producer.send(new ProducerRecord<>(topic, r[0], MAPPER.writeValueAsString(n))).get();
      }
      producer.flush();
    }
  }
}
