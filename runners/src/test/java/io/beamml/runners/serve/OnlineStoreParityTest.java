package io.beamml.runners.serve;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.beamml.inference.LoadedModel;
import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.SyntheticModel;
import io.beamml.pipelines.online.MaterializePipeline;
import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.pipelines.stream.StreamPipeline;
import io.beamml.pipelines.trainingset.TrainingSetPipeline;
import io.beamml.runners.local.KafkaBrokerResource;
import io.beamml.runners.local.RedisResource;
import io.beamml.schemas.TrainingExample;
import io.beamml.serving.store.OnlineStoreConfig;
import io.beamml.serving.store.RedisOnlineStore;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Training and serving agree: generated events go through Kafka into the streaming job, which fills
 * Redis; {@code serve} then answers for a sample of customers and times, and its features and
 * scores equal the training set's (PointInTimeTrainingSet, i.e. {@code FeatureCalculator.asOf} over
 * the same files) as of the same times, to float precision. And {@code materialize} over the same
 * files leaves exactly the contents the stream left.
 */
public class OnlineStoreParityTest {

  static {
    for (String logger :
        new String[] {
          "kafka", "org.apache.kafka", "state.change.logger", "org.apache.beam.sdk.io.kafka"
        }) {
      System.setProperty("org.slf4j.simpleLogger.log." + logger, "warn");
    }
  }

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();
  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();
  @ClassRule public static final RedisResource REDIS = new RedisResource();

  private static final String NAME = "promo";
  private static final FeatureSpec SPEC = FeatureSpec.defaultSpec();
  private static final int DAYS = 6;

  @Test
  public void streamFedStoreServesTheTrainingSetsFeaturesAndMaterializeLeavesTheSameContents()
      throws Exception {
    Path data = WORK.newFolder("data").toPath();
    DataGenerator.generate(
        GeneratorConfig.of(25, DAYS, 23)
            .withBadRowRate(0)
            .withDuplicateRate(0.02)
            .withIncludeOversizedLines(false),
        data);
    String registry = WORK.newFolder("registry").toString();
    SyntheticModel.registerAs(registry, NAME, "champion", SPEC, 4, 12, 3);
    String profiles = data.resolve("profiles") + "/*.csv";

    // Stream: Kafka -> the streaming job (Direct runner, bounded read) -> Redis under "stream:".
    List<ReplayEvents.Message> messages = ReplayEvents.load(data);
    String clicks = "parity-clicks";
    String orders = "parity-orders";
    KAFKA.broker().createTopic(clicks, 2);
    KAFKA.broker().createTopic(orders, 2);
    KAFKA.broker().createTopic("parity-predictions", 1);
    KAFKA.broker().createTopic("parity-dead-letters", 1);
    EventFeed.start(KAFKA.broker().bootstrapServers(), clicks, orders, messages, 0, false)
        .await(Duration.ofSeconds(60));
    PipelineOptionsFactory.register(StreamOptions.class);
    StreamOptions stream =
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--bootstrapServers=" + KAFKA.broker().bootstrapServers(),
                "--clicksTopic=" + clicks,
                "--ordersTopic=" + orders,
                "--predictionsTopic=parity-predictions",
                "--deadLettersTopic=parity-dead-letters",
                "--auditTopic=",
                "--driftTopic=",
                "--registry=" + registry,
                "--model=" + NAME + "@champion",
                "--profiles=" + profiles,
                "--consumerGroup=parity",
                "--maxReadTime=PT15S",
                "--onlineStore=" + REDIS.uri(),
                "--onlineStorePrefix=stream:")
            .withValidation()
            .as(StreamOptions.class);
    assertThat(
        StreamPipeline.start(stream, ServingHarness.KEY).waitUntilFinish(),
        is(PipelineResult.State.DONE));

    // Materialize: the same files, as of after every event -> Redis under "mat:".
    PipelineOptionsFactory.register(MaterializePipeline.Options.class);
    MaterializePipeline.Options materialize =
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--clicks=" + data.resolve("clicks") + "/*.jsonl",
                "--sales=" + data.resolve("sales") + "/*.csv",
                "--profiles=" + profiles,
                "--onlineStore=" + REDIS.uri(),
                "--onlineStorePrefix=mat:",
                "--output=" + WORK.newFolder("materialize"))
            .withValidation()
            .as(MaterializePipeline.Options.class);
    MaterializePipeline.run(materialize, ServingHarness.KEY, System.currentTimeMillis());

    OnlineStoreConfig layout =
        OnlineStoreConfig.forSpec(REDIS.uri(), SPEC, OnlineStoreConfig.DEFAULT_TTL_MARGIN);
    try (RedisOnlineStore streamed = RedisOnlineStore.connect(layout.withPrefix("stream:"));
        RedisOnlineStore materialized = RedisOnlineStore.connect(layout.withPrefix("mat:"))) {
      Map<String, List<String>> fromStream = withoutPrefix(streamed.snapshot(), "stream:");
      assertThat(fromStream.size(), greaterThan(25));
      assertEquals(fromStream, withoutPrefix(materialized.snapshot(), "mat:"));
    }

    // The training set's features as of a sample of customers and times, from the same files.
    List<String> customers = sampleCustomers(data, 8);
    Instant end = LocalDate.of(2026, 1, 1).plusDays(DAYS).atStartOfDay(ZoneOffset.UTC).toInstant();
    List<Instant> times =
        List.of(
            end,
            end.plus(Duration.ofHours(13)),
            end.plus(Duration.ofDays(3)),
            end.plus(Duration.ofDays(6)).plus(Duration.ofHours(23)),
            end.plus(Duration.ofDays(9)));
    Path responses = WORK.newFolder("responses").toPath().resolve("responses.csv");
    List<String> lines = new ArrayList<>(List.of("promo_id,customer_id,sent_time,responded"));
    int n = 0;
    for (String c : customers) {
      for (Instant t : times) {
        lines.add("P" + (n++) + "," + c + "," + t + ",0");
      }
    }
    Files.write(responses, lines);
    PipelineOptionsFactory.register(TrainingSetPipeline.Options.class);
    String trainingOut = WORK.newFolder("training-set").toString();
    TrainingSetPipeline.run(
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--clicks=" + data.resolve("clicks") + "/*.jsonl",
                "--sales=" + data.resolve("sales") + "/*.csv",
                "--profiles=" + profiles,
                "--responses=" + responses,
                "--output=" + trainingOut)
            .withValidation()
            .as(TrainingSetPipeline.Options.class),
        ServingHarness.KEY);
    Map<String, TrainingExample> examples =
        readExamples(Path.of(trainingOut, TrainingSetPipeline.EXAMPLES_DIR));
    assertEquals(customers.size() * times.size(), examples.size());

    // The endpoint over the stream's store, all samples in one request.
    ServingHarness harness = new ServingHarness();
    try (ServingStack stack =
        ServingStack.start(
            ServingHarness.options(
                "--registry=" + registry,
                "--model=" + NAME + "@champion",
                "--onlineStore=" + REDIS.uri(),
                "--onlineStorePrefix=stream:",
                "--auditDir=" + WORK.newFolder("audit")),
            ServingHarness.KEY,
            harness.telemetry)) {
      ArrayNode request = ServingHarness.JSON.createArrayNode();
      n = 0;
      for (String c : customers) {
        for (Instant t : times) {
          request
              .addObject()
              .put("customer_id", c)
              .put("as_of", t.toString())
              .put("promo_id", "P" + (n++));
        }
      }
      ServingHarness.Reply reply = harness.post(stack.baseUrl() + "/v1/score", request.toString());
      assertEquals(reply.text(), 200, reply.status());
      LoadedModel model = stack.models().champion().model();
      Pseudonymiser pseudonymiser = new Pseudonymiser(ServingHarness.KEY);
      int active = 0;
      for (JsonNode answer : reply.json()) {
        TrainingExample example = examples.get(answer.get("promo_id").asText());
        String promo = answer.get("promo_id").asText();
        assertEquals(
            example.getCustomerKey(),
            pseudonymiser.pseudonym(
                customers.get(Integer.parseInt(promo.substring(1)) / times.size())));
        float[] expected = model.vectorizer().toVector(example.getFeatures());
        float[] served = ServingHarness.servedColumns(answer, SPEC);
        assertEquals(promo, java.util.Arrays.toString(expected), java.util.Arrays.toString(served));
        assertEquals(promo, model.predict(expected, 1)[0], answer.get("score").floatValue(), 0f);
        if (expected[0] > 0) {
          active++;
        }
      }
      // The sample includes customers with activity in the window, not only empty windows.
      assertThat(active, greaterThan(3));
    }
  }

  private static Map<String, List<String>> withoutPrefix(
      Map<String, List<String>> snapshot, String prefix) {
    Map<String, List<String>> out = new TreeMap<>();
    snapshot.forEach((k, v) -> out.put(k.substring(prefix.length()), v));
    return out;
  }

  private static List<String> sampleCustomers(Path data, int count) throws Exception {
    try (Stream<Path> files = Files.list(data.resolve("profiles"))) {
      List<String> ids = new ArrayList<>();
      for (Path f : files.sorted().collect(Collectors.toList())) {
        for (String line : Files.readAllLines(f)) {
          if (!line.startsWith("customer_id") && !line.isBlank()) {
            ids.add(line.substring(0, line.indexOf(',')));
          }
        }
      }
      assertTrue(ids.size() >= count);
      List<String> sample = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        sample.add(ids.get(i * ids.size() / count));
      }
      return sample;
    }
  }

  private static Map<String, TrainingExample> readExamples(Path dir) throws Exception {
    Map<String, TrainingExample> out = new HashMap<>();
    for (File f : dir.toFile().listFiles((d, name) -> name.endsWith(".avro"))) {
      try (DataFileReader<TrainingExample> reader =
          new DataFileReader<>(f, new SpecificDatumReader<>(TrainingExample.class))) {
        for (TrainingExample e : reader) {
          out.put(e.getPromoId(), e);
        }
      }
    }
    return out;
  }
}
