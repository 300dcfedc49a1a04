package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.pipelines.ingest.OfflineInputs;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.pipelines.score.ScorePipeline;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.features.FeatureSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * The stream in EXACT mode computes what the backfill and batch scoring compute: the committed
 * sample, given as files to backfill + score and as messages through Kafka to the stream (out of
 * event-time order within the allowed lateness), yields per event id the same feature values and
 * the same score.
 *
 * <p>The stream's watermark passes the last events without a special message: every message is on
 * the broker before the job starts, and a partition with nothing left to read lets the watermark
 * advance to the wall clock less the out-of-orderness (see EventTimePolicy), far past the sample's
 * dates; EXACT mode then emits every waiting row. Two lines of the sample exceed Kafka's default 1
 * MB message limit and cannot be sent at all; they are dead letters in the batch run only and have
 * no event id to compare.
 */
public class StreamParityTest {

  private static final int KAFKA_MAX_MESSAGE_BYTES = 1_000_000;

  @ClassRule public static final StreamTestBed STREAM = StreamTestBed.create().withChampion(1);

  private static Path sample;

  @BeforeClass
  public static void setUp() throws Exception {
    sample = locateSample();
  }

  @Test
  public void exactStreamGivesTheBackfillsFeaturesAndScores() throws Exception {
    Path batchOut = batch();
    Map<String, JsonNode> batchFeatures = byEventId(jsonLines(batchOut.resolve("features")));
    Map<String, JsonNode> batchScores = byEventId(jsonLines(batchOut.resolve("predictions")));
    assertEquals(
        "the batch runs disagree on the events", batchFeatures.keySet(), batchScores.keySet());

    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(STREAM.broker(), "parity");
    STREAM.broker().createTopic("parity-features", 2);
    List<ReplayEvents.Message> messages =
        outOfOrder(ReplayEvents.load(sample), 90 * 60_000L, new Random(5));
    EventFeed.start(
            STREAM.broker().bootstrapServers(), topics.clicks, topics.orders, messages, 0, false)
        .await(Duration.ofSeconds(60));

    try (TopicTail features =
            TopicTail.start(STREAM.broker().bootstrapServers(), "parity-features");
        TopicTail predictions =
            TopicTail.start(STREAM.broker().bootstrapServers(), topics.predictions)) {
      PipelineResult job =
          StreamJobs.start(
              StreamJobs.options(
                  STREAM.broker(),
                  STREAM.registry(),
                  topics.flags(
                      "--featuresTopic=parity-features",
                      "--profiles=" + sample.resolve("profiles") + "/*.csv",
                      "--consumerGroup=parity",
                      "--featureMode=exact",
                      "--maxOutOfOrderness=PT1H",
                      "--allowedLateness=PT1H")));
      try {
        assertTrue(
            "the stream did not score every event in time",
            predictions.awaitCount(batchScores.size(), Duration.ofSeconds(120)));
        predictions.awaitQuiet(Duration.ofSeconds(3), Duration.ofSeconds(20));
      } finally {
        StreamJobs.cancel(job);
      }

      Map<String, JsonNode> streamFeatures = byEventId(values(features.records()));
      Map<String, JsonNode> streamScores = byEventId(values(predictions.records()));
      assertEquals("events with a prediction", batchScores.keySet(), streamScores.keySet());
      assertEquals("predictions, one per event", batchScores.size(), predictions.count());
      int compared = 0;
      for (Map.Entry<String, JsonNode> batch : batchFeatures.entrySet()) {
        JsonNode stream = streamFeatures.get(batch.getKey());
        assertSameFeatures(batch.getKey(), batch.getValue(), stream);
        JsonNode batchScore = batchScores.get(batch.getKey());
        JsonNode streamScore = streamScores.get(batch.getKey());
        assertThat(
            "score of " + batch.getKey(),
            streamScore.path("score").asDouble(),
            is(batchScore.path("score").asDouble()));
        assertThat(
            streamScore.path("model_version").asText(),
            is(batchScore.path("model_version").asText()));
        compared++;
      }
      System.out.printf(
          "parity: %d events, features and scores identical; %d messages sent out of order%n",
          compared, messages.size());
    }
  }

  /**
   * The backfill's feature rows and batch scoring's predictions of the sample in one Direct run:
   * the code paths of BackfillPipeline (OfflineInputs.featureRows) and ScorePipeline (its scoring
   * transform), written as JSON Lines.
   */
  private static Path batch() throws IOException {
    Path out = STREAM.newFolder("batch").toPath();
    ScorePipeline.Options options = PipelineOptionsFactory.create().as(ScorePipeline.Options.class);
    inputs(options);
    options.setRegistry(STREAM.registry());
    options.setModel(RegisteredModels.NAME + "@champion");
    FeatureSpec spec = FeatureSpec.defaultSpec();
    Pipeline p = Pipeline.create(options);
    PCollection<FeatureRow> rows = OfflineInputs.read(p, options, StreamJobs.KEY).featureRows(spec);
    rows.apply(
            "RenderFeatureRows",
            MapElements.into(TypeDescriptors.strings()).via(JsonRecords.renderer()))
        .apply(
            "WriteFeatureRows",
            TextIO.write().to(out.resolve("features") + "/part").withSuffix(".jsonl"));
    rows.apply("Score", ScorePipeline.scoring(options, spec))
        .output()
        .apply(
            "RenderPredictions",
            MapElements.into(TypeDescriptors.strings()).via(JsonRecords.renderer()))
        .apply(
            "WritePredictions",
            TextIO.write().to(out.resolve("predictions") + "/part").withSuffix(".jsonl"));
    p.run().waitUntilFinish();
    return out;
  }

  private static void inputs(io.beamml.pipelines.options.InputOptions options) {
    options.setClicks(sample.resolve("clicks") + "/*.jsonl");
    options.setSales(sample.resolve("sales") + "/*.csv");
    options.setProfiles(sample.resolve("profiles") + "/*.csv");
  }

  /**
   * The messages in event-time order, each moved by up to {@code jitterMillis} of event time: a
   * message arrives at most that much after a later one. Messages Kafka would refuse are left out.
   */
  static List<ReplayEvents.Message> outOfOrder(
      List<ReplayEvents.Message> sorted, long jitterMillis, Random random) {
    Map<ReplayEvents.Message, Long> keys = new HashMap<>();
    for (ReplayEvents.Message m : sorted) {
      keys.put(m, m.sortTime() + (long) (random.nextDouble() * jitterMillis));
    }
    return sorted.stream()
        .filter(m -> m.value().getBytes(StandardCharsets.UTF_8).length < KAFKA_MAX_MESSAGE_BYTES)
        .sorted(Comparator.comparingLong(keys::get))
        .collect(Collectors.toList());
  }

  private static void assertSameFeatures(String eventId, JsonNode batch, JsonNode stream) {
    if (stream == null) {
      throw new AssertionError("no streamed feature row for " + eventId);
    }
    Map<String, JsonNode> expected = fields(batch);
    Map<String, JsonNode> actual = fields(stream);
    assertEquals("feature names of " + eventId, expected.keySet(), actual.keySet());
    for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
      JsonNode a = actual.get(e.getKey());
      JsonNode b = e.getValue();
      if (b.isNumber() && a.isNumber()) {
        double x = b.asDouble();
        double y = a.asDouble();
        // FeatureCalculator's sliding sums may differ from direct ones in the last bit.
        assertTrue(
            eventId + " " + e.getKey() + ": batch " + x + ", stream " + y,
            x == y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)));
      } else {
        assertEquals(eventId + " " + e.getKey(), b, a);
      }
    }
  }

  private static Map<String, JsonNode> fields(JsonNode node) {
    Map<String, JsonNode> fields = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      fields.put(f.getKey(), f.getValue());
    }
    return fields;
  }

  private static Map<String, JsonNode> byEventId(List<String> lines) {
    Map<String, JsonNode> byId = new HashMap<>();
    for (String line : lines) {
      JsonNode node = StreamLosslessTest.read(line);
      byId.put(node.path("event_id").asText(), node);
    }
    return byId;
  }

  private static List<String> values(List<TopicTail.Received> records) {
    return records.stream().map(TopicTail.Received::value).collect(Collectors.toList());
  }

  private static List<String> jsonLines(Path dir) {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f :
          (Iterable<Path>)
              files
                      .filter(Files::isRegularFile)
                      .filter(f -> f.getFileName().toString().endsWith(".jsonl"))
                  ::iterator) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  private static Path locateSample() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("test-data/sample");
      if (Files.isRegularFile(candidate.resolve("manifest.json"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "test-data/sample not found above " + Paths.get("").toAbsolutePath());
  }
}
