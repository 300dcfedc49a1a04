package io.beamml.runners.local;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;

import io.beamml.local.FlinkSessionCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Beam jobs submitted to the session cluster run in its separate TaskManager JVM and reach the
 * embedded broker over loopback; a killed TaskManager can be replaced and the next job runs, and
 * the replacement serves its metrics through Flink's Prometheus reporter like the first.
 */
public class FlinkSessionClusterTest {

  static {
    QuietLogs.apply();
  }

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();

  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();
  private static FlinkSessionCluster cluster;

  @BeforeClass
  public static void startInfrastructure() throws Exception {
    cluster =
        FlinkSessionCluster.at(WORK.newFolder("flink").toPath()).withPrometheusReporter(0).start();
  }

  @AfterClass
  public static void stopInfrastructure() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  public void boundedBeamJobRunsOnTheClusterAndWritesToKafka() throws Exception {
    assertThat(cluster.restAddress(), matchesPattern("127\\.0\\.0\\.1:\\d+"));
    int count = 1000;
    KAFKA.broker().createTopic("cluster-batch-out", 2);

    Pipeline pipeline = Pipeline.create(clusterOptions(false));
    pipeline
        .apply("GenerateIds", GenerateSequence.from(0).to(count))
        .apply("FormatJson", MapElements.into(TypeDescriptors.strings()).via(UppercaseKind::input))
        .apply(
            "UppercaseKind", MapElements.into(TypeDescriptors.strings()).via(new UppercaseKind()))
        .apply("WriteOutput", writeTo("cluster-batch-out"));
    PipelineResult.State state = pipeline.run().waitUntilFinish();

    assertThat(state, is(PipelineResult.State.DONE));
    assertThat(finishedJobs(), containsString("\"state\":\"FINISHED\""));
    assertThat(
        KafkaRecords.consume(
            KAFKA.broker().bootstrapServers(), "cluster-batch-out", count, Duration.ofSeconds(30)),
        containsInAnyOrder(expected(count)));
  }

  @Test
  public void streamingKafkaJobRunsOnAReplacementTaskManager() throws Exception {
    cluster.killTaskManager();
    cluster.startTaskManager();
    assertThat(
        get(cluster.taskManagerMetricsPort(), "/metrics"),
        containsString("tm_id=\"taskmanager_2\""));
    assertThat(
        get(cluster.jobManagerMetricsPort(), "/metrics"),
        containsString("flink_jobmanager_numRegisteredTaskManagers"));
    int partitions = 2;
    int count = 400;
    KAFKA.broker().createTopic("cluster-stream-in", partitions);
    KAFKA.broker().createTopic("cluster-stream-out", partitions);
    KafkaRecords.produce(
        KAFKA.broker().bootstrapServers(),
        "cluster-stream-in",
        partitions,
        LongStream.range(0, count).mapToObj(UppercaseKind::input).collect(Collectors.toList()));

    Pipeline pipeline = Pipeline.create(clusterOptions(true));
    pipeline
        .apply(
            "ReadInput",
            KafkaIO.<String, String>read()
                .withBootstrapServers(KAFKA.broker().bootstrapServers())
                .withTopic("cluster-stream-in")
                .withKeyDeserializer(StringDeserializer.class)
                .withValueDeserializer(StringDeserializer.class)
                .withConsumerConfigUpdates(Map.of("auto.offset.reset", "earliest"))
                .withMaxNumRecords(count)
                .withMaxReadTime(org.joda.time.Duration.standardSeconds(60))
                .withoutMetadata())
        .apply("DropKeys", Values.create())
        .apply(
            "UppercaseKind", MapElements.into(TypeDescriptors.strings()).via(new UppercaseKind()))
        .apply("WriteOutput", writeTo("cluster-stream-out"));
    PipelineResult.State state = pipeline.run().waitUntilFinish();

    assertThat(state, is(PipelineResult.State.DONE));
    assertThat(
        KafkaRecords.consume(
            KAFKA.broker().bootstrapServers(), "cluster-stream-out", count, Duration.ofSeconds(30)),
        containsInAnyOrder(expected(count)));
  }

  private static FlinkPipelineOptions clusterOptions(boolean streaming) {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setFlinkMaster(cluster.restAddress());
    options.setParallelism(2);
    options.setStreaming(streaming);
    options.setFilesToStage(ClusterStaging.filesToStage(options));
    return options;
  }

  private static PTransform<PCollection<String>, PDone> writeTo(String topic) {
    return KafkaIO.<Void, String>write()
        .withBootstrapServers(KAFKA.broker().bootstrapServers())
        .withTopic(topic)
        .withValueSerializer(StringSerializer.class)
        .values();
  }

  private static Object[] expected(int count) {
    return LongStream.range(0, count).mapToObj(UppercaseKind::expected).toArray();
  }

  private static String finishedJobs() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://" + cluster.restAddress() + "/jobs/overview"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  private static String get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
