package io.beamml.devtools;

import io.beamml.local.EmbeddedKafkaBroker;
import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.pipelines.stream.StreamPipeline;
import io.beamml.runners.commands.ServeCommand;
import io.beamml.runners.metrics.MonitoredJob;
import io.beamml.runners.serve.ServeOptions;
import io.beamml.runners.serve.ServingStack;
import io.beamml.runners.stream.JobControl;
import io.beamml.serving.store.LocalRedis;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The streaming half of {@code ./pipeline demo --streaming}: an embedded broker and topics, the
 * streaming job on embedded Flink, a producer replaying the generated clicks and orders as if they
 * happened now, and a running count of predictions, until the time is up; then everything stops.
 * The stream also fills a Redis online store (a local redis-server unless {@code --onlineStore}
 * names one), and {@code serve} answers over it while the demo runs: the demo prints a curl line
 * for a real customer and, before stopping, shows that request's answer.
 */
public final class StreamingDemo {

  private static final Duration REPORT_EVERY = Duration.ofSeconds(5);

  private final StreamOptions options;
  private final HmacKey key;
  private final Path data;
  private final PrintStream out;

  /**
   * {@code options} carries the model, registry and any stream flags given; the broker, topics,
   * profiles and runner settings are filled in here.
   */
  public StreamingDemo(StreamOptions options, HmacKey key, Path data, PrintStream out) {
    this.options = options;
    this.key = key;
    this.data = data;
    this.out = out;
  }

  /**
   * Runs for {@code duration} at {@code perSecond} events a second; returns the predictions read.
   */
  public long run(Duration duration, double perSecond) throws Exception {
    List<ReplayEvents.Message> messages = ReplayEvents.load(data);
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      for (String topic :
          List.of(
              options.getClicksTopic(), options.getOrdersTopic(), options.getPredictionsTopic())) {
        broker.createTopic(topic, 2);
      }
      broker.createTopic(options.getDeadLettersTopic(), 1);
      for (String optional :
          List.of(
              options.getAuditTopic(),
              options.getDriftTopic(),
              options.getFeaturesTopic(),
              options.getDuplicatesTopic())) {
        if (!optional.isBlank()) {
          broker.createTopic(optional, 1);
        }
      }
      options.setBootstrapServers(broker.bootstrapServers());
      options.setProfiles(data.resolve("profiles") + "/*.csv");
      FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
      flink.setRunner(FlinkRunner.class);
      flink.setFlinkMaster("[local]");
      flink.setStreaming(true);
      flink.setAttachedMode(false);
      if (flink.getCheckpointingInterval() == null || flink.getCheckpointingInterval() <= 0) {
        flink.setCheckpointingInterval(5_000L);
      }
      say(
          "demo: Kafka at "
              + broker.bootstrapServers()
              + "; topics "
              + options.getClicksTopic()
              + ", "
              + options.getOrdersTopic()
              + " -> "
              + options.getPredictionsTopic()
              + ", "
              + options.getDeadLettersTopic());
      LocalRedis localRedis = null;
      if (options.getOnlineStore() == null || options.getOnlineStore().isBlank()) {
        try {
          localRedis = LocalRedis.start();
          options.setOnlineStore(localRedis.uri());
        } catch (IllegalStateException e) {
          say("demo: " + e.getMessage() + "; the demo runs without the online store and serve");
        }
      }
      say(
          "demo: starting the streaming job on embedded Flink ("
              + options.getFeatureMode()
              + " features, model "
              + options.getModel()
              + "; online store "
              + options.getOnlineStore()
              + ")");
      try (LocalRedis ignored = localRedis) {
        return runJob(duration, perSecond, messages, broker);
      }
    }
  }

  private long runJob(
      Duration duration,
      double perSecond,
      List<ReplayEvents.Message> messages,
      EmbeddedKafkaBroker broker)
      throws Exception {
    Pipeline pipeline = Pipeline.create(options);
    StreamPipeline.build(pipeline, options, key);
    MonitoredJob monitored = MonitoredJob.start(pipeline);
    PipelineResult job = monitored.result();
    monitored
        .metricsPort()
        .ifPresent(
            port ->
                say(
                    "demo: the job's metrics for Prometheus: http://localhost:"
                        + port
                        + "/metrics"));
    try (monitored;
        TopicTail predictions =
            TopicTail.start(broker.bootstrapServers(), options.getPredictionsTopic());
        TopicTail deadLetters =
            TopicTail.start(broker.bootstrapServers(), options.getDeadLettersTopic());
        EventFeed feed =
            EventFeed.start(
                broker.bootstrapServers(),
                options.getClicksTopic(),
                options.getOrdersTopic(),
                messages,
                perSecond,
                true);
        ServingStack serving =
            options.getOnlineStore().isBlank()
                ? null
                : ServingStack.start(serveOptions(), key, OpenTelemetry.noop())) {
      String customer = firstCustomer();
      String curl = serving == null ? null : ServeCommand.curlLine(serving.baseUrl(), customer);
      if (curl != null) {
        say("demo: serve answers while the demo runs; try: " + curl);
      }
      say(
          String.format(
              "demo: sending %d generated events at %.0f/s for %d s",
              messages.size(), perSecond, duration.toSeconds()));
      long start = System.nanoTime();
      long lastCount = 0;
      long lastTime = start;
      while (System.nanoTime() - start < duration.toNanos() && JobControl.running(job)) {
        Thread.sleep(REPORT_EVERY.toMillis());
        long now = System.nanoTime();
        long count = predictions.count();
        say(
            String.format(
                "demo: %5.0f s  sent %7d  predictions %7d  (%6.1f/s)  dead letters %5d",
                (now - start) / 1e9,
                feed.sent(),
                count,
                (count - lastCount) / ((now - lastTime) / 1e9),
                deadLetters.count()));
        lastCount = count;
        lastTime = now;
      }
      if (curl != null) {
        say("demo: " + curl);
        say("demo:   -> " + score(serving.baseUrl(), customer));
      }
      feed.close();
      say("demo: stopping: producer closed after " + feed.sent() + " events; cancelling the job");
      JobControl.cancel(job);
      List<TopicTail.Received> received = predictions.records();
      if (!received.isEmpty()) {
        say("demo: last prediction: " + received.get(received.size() - 1).value());
      }
      say(
          "demo: "
              + predictions.count()
              + " predictions, "
              + deadLetters.count()
              + " dead letters; "
              + "the broker stops now");
      return predictions.count();
    } finally {
      JobControl.cancel(job);
    }
  }

  private ServeOptions serveOptions() {
    PipelineOptionsFactory.register(ServeOptions.class);
    return PipelineOptionsFactory.fromArgs(
            "--registry=" + options.getRegistry(),
            "--model=" + options.getModel(),
            "--onlineStore=" + options.getOnlineStore(),
            "--onlineStorePrefix=" + options.getOnlineStorePrefix(),
            "--port=0",
            "--auditDir=" + data.resolveSibling("serve-audit"))
        .as(ServeOptions.class);
  }

  /** A customer of the generated profiles, for the example request. */
  private String firstCustomer() throws IOException {
    try (var files = Files.list(data.resolve("profiles"))) {
      Path first =
          files
              .sorted()
              .findFirst()
              .orElseThrow(() -> new IOException("no profiles under " + data));
      String line = Files.readAllLines(first).get(1);
      return line.substring(0, line.indexOf(','));
    }
  }

  private static String score(String baseUrl, String customer)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/v1/score"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"customer_id\": \"" + customer + "\", \"explain\": 3}"))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  private void say(String line) {
    out.println(line);
    out.flush();
  }
}
