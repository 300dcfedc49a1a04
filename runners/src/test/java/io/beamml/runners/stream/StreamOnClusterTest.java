package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.DeployedModel;
import io.beamml.inference.InferenceMetrics;
import io.beamml.inference.ModelKey;
import io.beamml.local.EventFeed;
import io.beamml.local.FlinkClusterClasspath;
import io.beamml.local.FlinkSessionCluster;
import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.pipelines.stream.StreamCounters;
import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.runners.local.KafkaBrokerResource;
import io.beamml.runners.stream.PrometheusSamples.Sample;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.parse.Parse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The same job, unchanged, on a real Flink 1.19 session cluster (JobManager and TaskManager in
 * their own JVMs, Flink's Prometheus reporter in each): submitted with {@code
 * --flinkMaster=127.0.0.1:PORT}, it reads the embedded broker over loopback and writes predictions.
 * It runs once for the class, as the upload of the classpath dominates (the data is a few dozen
 * events); the tests look at its predictions and at its Beam counters as the TaskManager's reporter
 * serves them while the job runs.
 */
public class StreamOnClusterTest {

  static {
    StreamJobs.quietLogs();
  }

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();

  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();
  private static FlinkSessionCluster cluster;
  private static List<ReplayEvents.Message> messages;
  private static List<String> predicted;
  private static String predictionsArrived;

  /** Flink's name of each Beam counter checked, and the count it must reach. */
  private static final Map<String, Long> COUNTERS = new LinkedHashMap<>();

  private static List<Sample> scraped;

  @BeforeClass
  public static void runTheJobOnACluster() throws Exception {
    cluster =
        FlinkSessionCluster.at(WORK.newFolder("flink").toPath()).withPrometheusReporter(0).start();
    String registry = WORK.newFolder("registry").toString();
    String version = RegisteredModels.registerChampion(registry, 1);
    Path data = WORK.newFolder("data").toPath();
    DataGenerator.generate(
        GeneratorConfig.of(8, 2, 17)
            .withBadRowRate(0)
            .withDuplicateRate(0)
            .withIncludeOversizedLines(false),
        data);

    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(KAFKA.broker(), "cluster");
    messages = ReplayEvents.load(data);
    StreamOptions options =
        StreamJobs.options(
            KAFKA.broker(),
            registry,
            topics.flags(
                "--flinkMaster=" + cluster.restAddress(),
                "--profiles=" + data.resolve("profiles") + "/*.csv",
                "--consumerGroup=cluster",
                "--featureMode=low_latency"));
    options.as(FlinkPipelineOptions.class).setFilesToStage(filesToStage(options));

    long clicks = messages.stream().filter(m -> m.kind() == ReplayEvents.Kind.CLICK).count();
    DeployedModel champion =
        new DeployedModel(
            new ModelKey(registry, RegisteredModels.NAME, version), DeployedModel.CHAMPION);
    COUNTERS.put(
        FlinkReporterNames.userMetric(Parse.METRICS_NAMESPACE, Sources.CLICKS + "." + Parse.PARSED),
        clicks);
    COUNTERS.put(
        FlinkReporterNames.userMetric(Parse.METRICS_NAMESPACE, Sources.ORDERS + "." + Parse.PARSED),
        messages.size() - clicks);
    COUNTERS.put(
        FlinkReporterNames.userMetric(
            InferenceMetrics.NAMESPACE, InferenceMetrics.predictions(champion)),
        (long) messages.size());
    COUNTERS.put(
        FlinkReporterNames.userMetric(
            StreamCounters.NAMESPACE, StreamCounters.written(topics.predictions)),
        (long) messages.size());

    try (TopicTail predictions =
        TopicTail.start(KAFKA.broker().bootstrapServers(), topics.predictions)) {
      PipelineResult job = StreamJobs.start(options);
      try {
        EventFeed.start(
                KAFKA.broker().bootstrapServers(), topics.clicks, topics.orders, messages, 20, true)
            .await(Duration.ofSeconds(120));
        boolean all = predictions.awaitCount(messages.size(), Duration.ofSeconds(120));
        predictionsArrived =
            all
                ? null
                : "only " + predictions.count() + " of " + messages.size() + " predictions arrived";
        // Beam hands a bundle's counters to Flink when the bundle finishes: poll until the last are
        // in.
        scraped = scrapeUntil(COUNTERS, Duration.ofSeconds(30));
      } finally {
        StreamJobs.cancel(job);
      }
      predicted =
          predictions.records().stream()
              .map(r -> StreamLosslessTest.read(r.value()).path("event_id").asText())
              .collect(Collectors.toList());
    }
  }

  @AfterClass
  public static void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  public void theStreamingJobRunsOnASessionCluster() {
    assertTrue(predictionsArrived, predictionsArrived == null);
    Set<String> sent = messages.stream().map(ReplayEvents.Message::id).collect(Collectors.toSet());
    System.out.printf(
        "cluster: %d events sent, %d predictions from the session cluster%n",
        messages.size(), predicted.size());
    assertThat(predicted, everyItem(org.hamcrest.Matchers.in(sent)));
    assertThat(Set.copyOf(predicted).size(), is(sent.size()));
  }

  /**
   * Each counter is served as one series per operator subtask, labelled with Flink's job, operator,
   * subtask and attempt; the series add up to the events fed.
   */
  @Test
  public void theTaskManagersPrometheusReporterServesTheJobsBeamCounters() {
    new TreeSet<>(
            scraped.stream()
                .map(Sample::name)
                .filter(n -> n.startsWith(FlinkReporterNames.OPERATOR_SCOPE))
                .toList())
        .forEach(n -> System.out.println("cluster: exported " + n));
    for (Map.Entry<String, Long> counter : COUNTERS.entrySet()) {
      List<Sample> series = PrometheusSamples.named(scraped, counter.getKey());
      assertThat(counter.getKey() + " is exported", series, not(empty()));
      assertEquals(
          counter.getKey(),
          counter.getValue(),
          PrometheusSamples.sum(scraped, counter.getKey()),
          0.0);
      for (String label :
          List.of("job_name", "operator_name", "subtask_index", "task_attempt_id", "tm_id")) {
        assertThat(series.stream().map(Sample::labels).toList(), everyItem(hasKey(label)));
      }
    }
  }

  /**
   * ops/prometheus/flink-scrape.yml on the live scrape: Beam distributions, which Flink's reporter
   * can only export as 0, are dropped; the JVM heap gets the name the dashboard queries.
   */
  @Test
  public void theFlinkScrapeConfigDropsDistributionsAndNamesTheHeap() throws Exception {
    String batchSize =
        FlinkReporterNames.userMetric(InferenceMetrics.NAMESPACE, InferenceMetrics.BATCH_SIZE);
    assertThat(
        batchSize + " is exported", PrometheusSamples.named(scraped, batchSize), not(empty()));
    assertThat(
        "Flink's reporter exports a Beam distribution as 0",
        PrometheusSamples.named(scraped, batchSize).stream().map(Sample::value).toList(),
        everyItem(is(0.0)));

    List<Sample> relabeled =
        MetricRelabeling.load(
                FlinkScrapeConfigTest.ops("prometheus/flink-scrape.yml"), "beamml-flink")
            .apply(scraped);
    assertThat(PrometheusSamples.named(relabeled, batchSize), empty());
    List<Sample> heap =
        PrometheusSamples.named(relabeled, "jvm_memory_used_bytes").stream()
            .filter(s -> "heap".equals(s.labels().get("area")))
            .toList();
    assertThat(heap.size(), is(1));
    assertThat(heap.get(0).value(), greaterThan(0.0));
    assertThat(heap.get(0).labels(), hasKey("tm_id"));
    for (String counter : COUNTERS.keySet()) {
      // The predictions counter carries labels in its Beam name: the config renames it.
      double renamed =
          counter.contains("_inference_predictions_")
              ? PrometheusSamples.sum(relabeled, "beamml_inference_predictions_total")
              : 0;
      assertEquals(
          counter,
          PrometheusSamples.sum(scraped, counter),
          PrometheusSamples.sum(relabeled, counter) + renamed,
          0.0);
    }
  }

  private static List<Sample> scrapeUntil(Map<String, Long> expected, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Sample> samples = PrometheusSamples.scrape(cluster.taskManagerMetricsPort());
      boolean all =
          expected.entrySet().stream()
              .allMatch(e -> PrometheusSamples.sum(samples, e.getKey()) == e.getValue());
      if (all || System.nanoTime() > deadline) {
        return samples;
      }
      Thread.sleep(500);
    }
  }

  /**
   * This JVM's classpath as Beam would stage it, less the jars the cluster already runs on (and its
   * reporter plugin): each staged file crosses the REST upload, which dominates a small job's time.
   */
  private static List<String> filesToStage(StreamOptions options) {
    Set<String> clusterJars =
        Stream.concat(
                FlinkClusterClasspath.jars().stream(),
                Stream.of(FlinkClusterClasspath.prometheusReporterJar()))
            .map(jar -> jar.getFileName().toString())
            .collect(Collectors.toSet());
    return PipelineResources.detectClassPathResourcesToStage(
            StreamOnClusterTest.class.getClassLoader(), options)
        .stream()
        .filter(file -> !clusterJars.contains(String.valueOf(Paths.get(file).getFileName())))
        .collect(Collectors.toList());
  }
}
