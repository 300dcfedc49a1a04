package io.beamml.runners.metrics;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.local.EmbeddedKafkaBroker;
import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.SyntheticModel;
import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.pipelines.drift.DriftReportPipeline;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.pipelines.quality.QualityReportPipeline;
import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.pipelines.stream.StreamPipeline;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.runners.stream.JobControl;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.training.drift.WindowDrift;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.features.FeatureVectorizer;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Real jobs launched through {@link MonitoredJob} with an endpoint on a free port, run once per
 * test JVM and scraped over HTTP: a backfill of the committed sample and a drift report over its
 * feature rows on the Direct runner (scraped after they finished), and the streaming job on
 * embedded Flink with the embedded Kafka broker (scraped while it runs, then cancelled).
 */
final class ScrapedJobs {

  static final String MODEL = "promo-response";
  static final String QUALITY_MODEL = "quality-model";
  static final double QUALITY_TEST_AUC = 0.75;
  static final Path ROOT = repositoryRoot();
  private static final HmacKey KEY =
      HmacKey.ofBytes("metrics-test-key-0123456789".getBytes(StandardCharsets.UTF_8));

  /** The backfill's scrape after it finished, and its run summary. */
  final Scrape backfill;

  final JsonNode backfillSummary;

  /** The drift report's scrape after it finished, and the comparison it wrote. */
  final Scrape driftReport;

  final WindowDrift driftComparison;

  /** The quality report's scrape after it finished, and its read-out (quality.json). */
  final Scrape qualityReport;

  final JsonNode qualityReadout;

  /**
   * The stream's first scrape with a champion prediction, a later one that grew and holds a
   * measured drift window, one after the job.
   */
  final Scrape streamFirst;

  final Scrape streamSecond;
  final Scrape streamAfterCancel;
  final PipelineResult.State streamEnd;

  /** Milliseconds from the stream's start to its first scrape with predictions. */
  final long streamFirstMillis;

  private static ScrapedJobs jobs;

  private ScrapedJobs(Path work) throws Exception {
    for (String logger :
        new String[] {
          "kafka",
          "org.apache.kafka",
          "state.change.logger",
          "org.apache.flink",
          "org.apache.beam.runners.flink",
          "org.apache.beam.sdk.io.kafka"
        }) {
      System.setProperty("org.slf4j.simpleLogger.log." + logger, "warn");
    }
    PipelineOptionsFactory.register(MetricsEndpointOptions.class);
    long start = System.nanoTime();

    Path backfillOut = work.resolve("backfill");
    BackfillPipeline.Options backfillOptions =
        PipelineOptionsFactory.fromArgs("--metricsPort=0").as(BackfillPipeline.Options.class);
    Path sample = ROOT.resolve("test-data/sample");
    backfillOptions.setClicks(sample.resolve("clicks") + "/*.jsonl");
    backfillOptions.setSales(sample.resolve("sales") + "/*.csv");
    backfillOptions.setProfiles(sample.resolve("profiles") + "/*.csv");
    backfillOptions.setOutput(backfillOut.toString());
    Pipeline backfillJob = Pipeline.create(backfillOptions);
    BackfillPipeline.build(backfillJob, backfillOptions, KEY);
    backfill = runToEndAndScrape(backfillJob);
    backfillSummary = new ObjectMapper().readTree(RunSummary.read(backfillOut.toString()));
    long backfillDone = System.nanoTime();

    Path driftOut = work.resolve("drift-report");
    String registry = work.resolve("registry").toString();
    String features = backfillOut.resolve(BackfillPipeline.FEATURES_DIR) + "/*/*.avro";
    registerModelWithReference(registry, backfillOut.resolve(BackfillPipeline.FEATURES_DIR));
    DriftReportPipeline.Options driftOptions =
        PipelineOptionsFactory.fromArgs(
                "--metricsPort=0",
                "--features=" + features,
                "--registry=" + registry,
                "--model=drift-model@champion",
                "--output=" + driftOut)
            .withValidation()
            .as(DriftReportPipeline.Options.class);
    Pipeline driftJob = Pipeline.create(driftOptions);
    DriftReportPipeline.build(driftJob, driftOptions, DriftReportPipeline.detection(driftOptions));
    driftReport = runToEndAndScrape(driftJob);
    driftComparison = DriftReportPipeline.readComparison(driftOut.toString());

    Path qualityOut = work.resolve("quality-report");
    QualityReportPipeline.Options qualityOptions =
        PipelineOptionsFactory.fromArgs(
                "--metricsPort=0",
                "--responses=" + sample.resolve("responses") + "/*.csv",
                "--predictions="
                    + truthPredictions(sample, work.resolve("quality-predictions.jsonl")),
                "--registry=" + registerQualityModel(work.resolve("quality-registry").toString()),
                "--model=" + QUALITY_MODEL,
                "--minPositives=1",
                "--output=" + qualityOut)
            .withValidation()
            .as(QualityReportPipeline.Options.class);
    Pipeline qualityJob = Pipeline.create(qualityOptions);
    QualityReportPipeline.build(
        qualityJob, qualityOptions, KEY, QualityReportPipeline.testMetrics(qualityOptions));
    qualityReport = runToEndAndScrape(qualityJob);
    qualityReadout =
        new ObjectMapper().readTree(QualityReportPipeline.readReadout(qualityOut.toString()));
    long driftDone = System.nanoTime();

    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      SyntheticModel.registerAs(registry, MODEL, "champion", FeatureSpec.defaultSpec(), 5, 12, 3);
      Path data = Files.createDirectories(work.resolve("stream-data"));
      DataGenerator.generate(
          GeneratorConfig.of(150, 3, 29).withBadRowRate(0.03).withIncludeOversizedLines(false),
          data);
      List<ReplayEvents.Message> messages = ReplayEvents.load(data);
      for (String topic : List.of("m-clicks", "m-orders", "m-predictions", "m-audit")) {
        broker.createTopic(topic, 2);
      }
      broker.createTopic("m-dead-letters", 1);
      broker.createTopic("m-drift", 1);
      PipelineOptionsFactory.register(StreamOptions.class);
      StreamOptions options =
          PipelineOptionsFactory.fromArgs(
                  "--runner=FlinkRunner",
                  "--flinkMaster=[local]",
                  "--streaming=true",
                  "--parallelism=2",
                  "--maxBundleTimeMills=100",
                  "--featureMode=low_latency",
                  "--metricsPort=0",
                  "--bootstrapServers=" + broker.bootstrapServers(),
                  "--registry=" + registry,
                  "--model=" + MODEL + "@champion",
                  "--clicksTopic=m-clicks",
                  "--ordersTopic=m-orders",
                  "--predictionsTopic=m-predictions",
                  "--deadLettersTopic=m-dead-letters",
                  "--auditTopic=m-audit",
                  "--driftTopic=m-drift",
                  "--driftWindow=PT5S",
                  "--driftMinRows=5",
                  "--profiles=" + data.resolve("profiles") + "/*.csv",
                  "--consumerGroup=metrics-test")
              .withValidation()
              .as(StreamOptions.class);
      Pipeline streamJob = Pipeline.create(options);
      StreamPipeline.build(streamJob, options, KEY);

      long streamStart = System.currentTimeMillis();
      // Live feed: each event is stamped when it is sent, so its lag is the job's own delay.
      try (MonitoredJob job = MonitoredJob.start(streamJob);
          EventFeed feed =
              EventFeed.start(
                  broker.bootstrapServers(), "m-clicks", "m-orders", messages, 30, true)) {
        int port = job.metricsPort().getAsInt();
        // The lag distribution is reported by the step after the scorer, so it can trail the
        // predictions counter by a bundle: wait for both before the first scrape.
        Scrape first =
            awaitScrape(
                port, s -> championPredictions(s) > 0 && lagCount(s) > 0, Duration.ofSeconds(60));
        streamFirstMillis = System.currentTimeMillis() - streamStart;
        streamFirst = first;
        streamSecond =
            awaitScrape(
                port,
                s ->
                    championPredictions(s) > championPredictions(first)
                        && s.sum("beamml_pipeline_records_in_total", Map.of())
                            > first.sum("beamml_pipeline_records_in_total", Map.of())
                        && lagCount(s) > lagCount(first)
                        && s.sum("beamml_drift_windows_measured_total", Map.of()) > 0,
                Duration.ofSeconds(45));
        JobControl.cancel(job.result());
        streamEnd = job.awaitEnd();
        streamAfterCancel = Scrape.of(port);
      }
    }
    System.out.printf(
        "scraped jobs: backfill %.1f s, drift report and quality report %.1f s, stream %.1f s%n",
        (backfillDone - start) / 1e9,
        (driftDone - backfillDone) / 1e9,
        (System.nanoTime() - driftDone) / 1e9);
  }

  /** The jobs of this JVM, run on first use. */
  static synchronized ScrapedJobs get() throws Exception {
    if (jobs == null) {
      Path work = Files.createTempDirectory("scraped-jobs");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(work)));
      jobs = new ScrapedJobs(work);
    }
    return jobs;
  }

  static double championPredictions(Scrape s) {
    return s.sum(
        "beamml_inference_predictions_total", Map.of("model", MODEL, "variant", "champion"));
  }

  private static double lagCount(Scrape s) {
    Double count = s.value("beamml_stream_event_to_prediction_lag_millis_count", Map.of());
    return count == null ? 0 : count;
  }

  private static Scrape runToEndAndScrape(Pipeline p) {
    try (MonitoredJob job = MonitoredJob.start(p)) {
      assertEquals(PipelineResult.State.DONE, job.awaitEnd());
      return Scrape.of(job.metricsPort().getAsInt());
    }
  }

  /** A model whose training reference is the backfill's own feature rows: nothing drifts. */
  private static void registerModelWithReference(String registry, Path featureDir)
      throws IOException {
    FeatureSpec spec = FeatureSpec.defaultSpec();
    FeatureVectorizer vectorizer = new FeatureVectorizer(spec);
    List<FeatureRow> rows = new ArrayList<>();
    try (Stream<Path> files = Files.walk(featureDir)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".avro"))::iterator) {
        try (DataFileReader<FeatureRow> reader =
            new DataFileReader<>(f.toFile(), new SpecificDatumReader<>(FeatureRow.class))) {
          reader.forEach(rows::add);
        }
      }
    }
    float[] matrix = new float[rows.size() * vectorizer.width()];
    String[] keys = new String[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      vectorizer.fill(rows.get(i).getFeatures(), matrix, i * vectorizer.width());
      keys[i] = rows.get(i).getEventId();
    }
    ReferenceProfile reference =
        ReferenceProfile.fromRows(spec, matrix, rows.size(), keys, 10, 2000);
    ModelMetadata template = new ModelMetadata();
    template.featureNames = spec.featureNames();
    template.specFingerprint = spec.fingerprint();
    template.featureSpec = spec.toCanonicalJson();
    ModelRegistry models = ModelRegistry.at(registry);
    ModelMetadata registered =
        models.register(
            "drift-model",
            "{}".getBytes(StandardCharsets.UTF_8),
            "json",
            template,
            Map.of(ReferenceProfile.FILE, reference.toJson()));
    models.moveAlias("drift-model", "champion", registered.version, false, "test");
  }

  /**
   * A prediction a minute before each sample response was sent, scoring it with its true
   * probability, as version 1 of {@value #QUALITY_MODEL}'s champion.
   */
  private static Path truthPredictions(Path sample, Path file) throws IOException {
    Map<String, String> truth = new java.util.HashMap<>();
    for (String line : Files.readAllLines(sample.resolve("truth/response_probabilities.csv"))) {
      String[] cells = line.split(",");
      truth.put(cells[0], cells[2]);
    }
    Pseudonymiser pseudonyms = new Pseudonymiser(KEY);
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(sample.resolve("responses/responses.csv"))) {
      String[] cells = line.split(",", -1);
      if (cells.length != 4 || !truth.containsKey(cells[0]) || cells[1].isEmpty()) {
        continue;
      }
      long sent;
      try {
        sent = java.time.OffsetDateTime.parse(cells[2]).toInstant().toEpochMilli();
      } catch (java.time.format.DateTimeParseException e) {
        continue;
      }
      out.add(
          JsonRecords.render(
              Prediction.newBuilder()
                  .setEventId("e-" + cells[0])
                  .setCustomerKey(pseudonyms.pseudonym(cells[1]))
                  .setEventTime(sent - 60_000L)
                  .setScore(Double.parseDouble(truth.get(cells[0])))
                  .setModelName(QUALITY_MODEL)
                  .setModelVersion("1")
                  .setVariant("champion")
                  .setSpecFingerprint("spec")
                  .build()));
    }
    Files.write(file, out);
    return file;
  }

  /** {@value #QUALITY_MODEL} version 1 with a test AUC of {@value #QUALITY_TEST_AUC}. */
  private static String registerQualityModel(String registry) {
    ModelMetadata template = new ModelMetadata();
    template.featureNames = List.of("f");
    template.specFingerprint = "spec";
    template.featureSpec = "{}";
    template.metrics = new java.util.LinkedHashMap<>(Map.of("test_auc", QUALITY_TEST_AUC));
    ModelRegistry.at(registry)
        .register(QUALITY_MODEL, "{}".getBytes(StandardCharsets.UTF_8), "json", template, Map.of());
    return registry;
  }

  private static Scrape awaitScrape(int port, Predicate<Scrape> until, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Scrape s = Scrape.of(port);
      if (until.test(s)) {
        return s;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the scrape did not get there within "
                + timeout
                + "; its beamml_ samples: "
                + s.names().stream().filter(n -> n.startsWith("beamml_")).toList());
      }
      Thread.sleep(500);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("could not remove " + dir + ": " + e.getMessage());
    }
  }

  private static Path repositoryRoot() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("test-data/sample/manifest.json"))) {
        return p;
      }
    }
    throw new UncheckedIOException(
        new IOException(
            "the repository root (with test-data/sample) is not above "
                + Paths.get("").toAbsolutePath()));
  }
}
