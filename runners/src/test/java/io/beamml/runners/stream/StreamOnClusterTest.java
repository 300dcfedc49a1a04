package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertTrue;

import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.runners.local.EmbeddedKafkaBroker;
import io.beamml.runners.local.FlinkClusterClasspath;
import io.beamml.runners.local.FlinkSessionCluster;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
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
 * their own JVMs): submitted with {@code --flinkMaster=127.0.0.1:PORT}, it reads the embedded
 * broker over loopback and writes predictions. The upload of the classpath dominates; the data is
 * a few dozen events.
 */
public class StreamOnClusterTest {

  static {
    StreamJobs.quietLogs();
  }

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();

  private static EmbeddedKafkaBroker broker;
  private static FlinkSessionCluster cluster;
  private static String registry;
  private static Path data;

  @BeforeClass
  public static void setUp() throws Exception {
    broker = EmbeddedKafkaBroker.start();
    cluster = FlinkSessionCluster.start(WORK.newFolder("flink").toPath());
    registry = WORK.newFolder("registry").toString();
    TestModels.registerChampion(registry, 1);
    data = WORK.newFolder("data").toPath();
    DataGenerator.generate(GeneratorConfig.of(8, 2, 17).withBadRowRate(0).withDuplicateRate(0)
        .withIncludeOversizedLines(false), data);
  }

  @AfterClass
  public static void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  public void theStreamingJobRunsOnASessionCluster() throws Exception {
    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(broker, "cluster");
    List<ReplayEvents.Message> messages = ReplayEvents.load(data);
    StreamOptions options = StreamJobs.options(broker, registry, topics.flags(
        "--flinkMaster=" + cluster.restAddress(),
        "--profiles=" + data.resolve("profiles") + "/*.csv",
        "--consumerGroup=cluster",
        "--featureMode=low_latency"));
    options.as(FlinkPipelineOptions.class).setFilesToStage(filesToStage(options));

    try (TopicTail predictions = TopicTail.start(broker.bootstrapServers(), topics.predictions)) {
      PipelineResult job = StreamJobs.start(options);
      try {
        EventFeed.start(broker.bootstrapServers(), topics.clicks, topics.orders, messages, 20, true)
            .await(Duration.ofSeconds(120));
        assertTrue("only " + predictions.count() + " of " + messages.size() + " predictions arrived",
            predictions.awaitCount(messages.size(), Duration.ofSeconds(120)));
      } finally {
        StreamJobs.cancel(job);
      }
      Set<String> sent = messages.stream().map(ReplayEvents.Message::id).collect(Collectors.toSet());
      List<String> predicted = predictions.records().stream()
          .map(r -> StreamLosslessTest.read(r.value()).path("event_id").asText())
          .collect(Collectors.toList());
      System.out.printf("cluster: %d events sent, %d predictions from the session cluster%n",
          messages.size(), predicted.size());
      assertThat(predicted, everyItem(org.hamcrest.Matchers.in(sent)));
      assertThat(Set.copyOf(predicted).size(), is(sent.size()));
    }
  }

  /**
   * This JVM's classpath as Beam would stage it, less the jars the cluster already runs on: each
   * staged file crosses the REST upload, which dominates a small job's time.
   */
  private static List<String> filesToStage(StreamOptions options) {
    Set<String> clusterJars = FlinkClusterClasspath.jars().stream()
        .map(jar -> jar.getFileName().toString())
        .collect(Collectors.toSet());
    return PipelineResources.detectClassPathResourcesToStage(StreamOnClusterTest.class.getClassLoader(), options)
        .stream()
        .filter(file -> !clusterJars.contains(String.valueOf(Paths.get(file).getFileName())))
        .collect(Collectors.toList());
  }
}
