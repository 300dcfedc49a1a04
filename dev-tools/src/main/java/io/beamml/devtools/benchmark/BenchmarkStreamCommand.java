package io.beamml.devtools.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.local.EmbeddedKafkaBroker;
import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.SyntheticModel;
import io.beamml.local.TopicTail;
import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.pipelines.stream.StreamPipeline;
import io.beamml.runners.Subcommand;
import io.beamml.runners.commands.CommandSupport;
import io.beamml.runners.commands.StreamCommand;
import io.beamml.runners.stream.JobControl;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./pipeline benchmark-stream}: the streaming job on embedded Flink through a real
 * (embedded) broker, beside a pass-through job (both topics copied to one, no work) in the same
 * run. For each: the sustained rate when fed as fast as the producer goes, with its latencies, then
 * the latencies at half that rate. Latency is from an event's Kafka timestamp on its input topic
 * (the producer's CreateTime, set when it is sent) to its output's Kafka timestamp (set when the
 * job's producer writes it). Producer, broker, consumers and job share this JVM and its cores.
 */
public final class BenchmarkStreamCommand implements Subcommand {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL_NAME = "benchmark-model";

  /** Flags of {@code ./pipeline benchmark-stream}. */
  public interface Options extends PipelineOptions {
    @Description("Events measured per run (after a warm-up of a tenth as many)")
    @Default.Integer(20000)
    Integer getEvents();

    void setEvents(Integer value);

    @Description("Working directory for the generated data and the model registry")
    @Default.String("benchmark-stream-output")
    String getWorkDir();

    void setWorkDir(String value);

    @Description("Parallelism of embedded Flink")
    @Default.Integer(2)
    Integer getFlinkParallelism();

    void setFlinkParallelism(Integer value);

    @Description(
        "Feature mode of the streaming job: low_latency (rows on arrival) or exact (rows after the watermark plus the allowed lateness)")
    @Default.Enum("low_latency")
    StreamOptions.FeatureMode getStreamFeatureMode();

    void setStreamFeatureMode(StreamOptions.FeatureMode value);

    @Description(
        "Also measure the stream with --deliveryGuarantee=exactly_once (job stream-eos: transactional Kafka"
            + " outputs, read read_committed), beside the at-least-once stream in the same run")
    @Default.Boolean(false)
    Boolean getExactlyOnce();

    void setExactlyOnce(Boolean value);

    @Description(
        "Checkpoint interval of the stream-eos job (ms): its outputs become visible when a checkpoint completes")
    @Default.Long(1000)
    Long getEosCheckpointingInterval();

    void setEosCheckpointingInterval(Long value);

    @Description(
        "Trees in the synthetic model scored (depth 4, like the trainer's defaults without early stopping)")
    @Default.Integer(300)
    Integer getModelTrees();

    void setModelTrees(Integer value);
  }

  @Override
  public String name() {
    return "benchmark-stream";
  }

  @Override
  public String summary() {
    return "measure the streaming job's events/s and p50/p99 latency on embedded Flink against a pass-through job";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return Options.class;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options options = CommandSupport.options(args, Options.class);
    streamBundles(args, options.as(FlinkPipelineOptions.class));
    int events = options.getEvents();
    int warmUp = Math.max(200, events / 10);
    Path work = Paths.get(options.getWorkDir()).toAbsolutePath();
    List<ReplayEvents.Message> messages = generate(work.resolve("data"), warmUp + events);
    String registry = work.resolve("registry").toString();
    SyntheticModel.registerAs(
        registry, MODEL_NAME, "champion", FeatureSpec.defaultSpec(), 1, options.getModelTrees(), 4);
    Bench bench =
        new Bench(
            options,
            registry,
            messages.subList(0, warmUp),
            messages.subList(warmUp, warmUp + events),
            work.resolve("data/profiles/profiles.csv").toString());

    List<String> report = new ArrayList<>();
    report.add(
        String.format(
            "%-12s %9s %10s %9s %9s %10s %9s %9s",
            "job", "events", "peak ev/s", "p50 ms", "p99 ms", "half ev/s", "p50 ms", "p99 ms"));
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      List<String> jobs = new ArrayList<>(List.of("pass-through", "stream"));
      if (options.getExactlyOnce()) {
        jobs.add("stream-eos");
      }
      for (String job : jobs) {
        Result peak = bench.measure(broker, job, 0);
        CommandSupport.say("benchmark-stream: " + job + " at full speed: " + peak);
        Result half = bench.measure(broker, job, peak.eventsPerSecond / 2);
        CommandSupport.say("benchmark-stream: " + job + " at half that rate: " + half);
        report.add(
            String.format(
                "%-12s %9d %10.0f %9d %9d %10.0f %9d %9d",
                job,
                events,
                peak.eventsPerSecond,
                peak.p50,
                peak.p99,
                half.eventsPerSecond,
                half.p50,
                half.p99));
      }
    }
    report.add("");
    report.add(
        "peak: the producer sends as fast as it can; ev/s = outputs between the 10th and 90th percentile of");
    report.add(
        "output times; latency = output's Kafka timestamp - input's Kafka timestamp. half: fed at half the");
    report.add(
        "job's own peak. stream-eos = stream with --deliveryGuarantee=exactly_once, checkpoints every "
            + options.getEosCheckpointingInterval()
            + " ms, read read_committed. stream = parse, validate, dedup, pseudonymise, "
            + options.getStreamFeatureMode()
            + " features, XGBoost ("
            + options.getModelTrees()
            + " trees); parallelism "
            + options.getFlinkParallelism()
            + ", bundles of at most "
            + options.as(FlinkPipelineOptions.class).getMaxBundleSize()
            + " elements or "
            + options.as(FlinkPipelineOptions.class).getMaxBundleTimeMills()
            + " ms (--maxBundleSize, --maxBundleTimeMills).");
    CommandSupport.say("");
    report.forEach(CommandSupport::say);
    Files.write(work.resolve("benchmark-stream.txt"), report, StandardCharsets.UTF_8);
    return 0;
  }

  /**
   * The jobs get the bundles {@code ./pipeline stream} runs with unless the flags say otherwise:
   * Beam derives this command's own defaults as a batch job's (10 s and 5,000 elements), which hold
   * a stream's outputs back for up to 10 s.
   */
  static void streamBundles(String[] args, FlinkPipelineOptions flink) {
    if (!CommandSupport.mentions(args, "--maxBundleTimeMills")) {
      flink.setMaxBundleTimeMills(StreamCommand.MAX_BUNDLE_TIME_MILLS);
    }
    if (!CommandSupport.mentions(args, "--maxBundleSize")) {
      flink.setMaxBundleSize(
          PipelineOptionsFactory.fromArgs("--streaming=true")
              .as(FlinkPipelineOptions.class)
              .getMaxBundleSize());
    }
  }

  /**
   * Generated events without bad rows or duplicates (each becomes exactly one output), as many as
   * asked.
   */
  private static List<ReplayEvents.Message> generate(Path data, int needed) throws IOException {
    int customers = Math.max(200, needed / 40);
    if (!Files.isDirectory(data.resolve("clicks"))) {
      DataGenerator.generate(
          GeneratorConfig.of(customers, 30, 3)
              .withBadRowRate(0)
              .withDuplicateRate(0)
              .withIncludeOversizedLines(false),
          data);
    }
    List<ReplayEvents.Message> messages = ReplayEvents.load(data);
    if (messages.size() < needed) {
      throw new IllegalArgumentException(
          "generated "
              + messages.size()
              + " events under "
              + data
              + ", fewer than the "
              + needed
              + " needed: delete it or ask for fewer --events");
    }
    return messages;
  }

  /** One run's figures. */
  private record Result(double eventsPerSecond, long p50, long p99, int outputs) {
    @Override
    public String toString() {
      return String.format(
          "%.0f events/s, latency p50 %d ms, p99 %d ms (%d outputs)",
          eventsPerSecond, p50, p99, outputs);
    }
  }

  private static final class Bench {
    private final Options options;
    private final String registry;
    private final List<ReplayEvents.Message> warmUp;
    private final List<ReplayEvents.Message> measured;
    private final String profiles;
    private int runs;

    Bench(
        Options options,
        String registry,
        List<ReplayEvents.Message> warmUp,
        List<ReplayEvents.Message> measured,
        String profiles) {
      this.options = options;
      this.registry = registry;
      this.warmUp = warmUp;
      this.measured = measured;
      this.profiles = profiles;
    }

    /**
     * Starts the job on fresh topics, warms it up, feeds the measured events at {@code rate} (0 =
     * flat out).
     */
    Result measure(EmbeddedKafkaBroker broker, String job, double rate) throws Exception {
      String prefix = job + "-" + (++runs);
      String clicks = prefix + "-clicks";
      String orders = prefix + "-orders";
      String out = prefix + "-out";
      String deadLetters = prefix + "-dead-letters";
      int partitions = options.getFlinkParallelism();
      for (String topic : List.of(clicks, orders, out)) {
        broker.createTopic(topic, partitions);
      }
      broker.createTopic(deadLetters, 1);
      broker.createTopic(prefix + "-audit", partitions);
      broker.createTopic(prefix + "-drift", 1);
      String servers = broker.bootstrapServers();
      try (TopicTail clicksIn = TopicTail.start(servers, clicks);
          TopicTail ordersIn = TopicTail.start(servers, orders);
          TopicTail outputs = TopicTail.start(servers, out, job.equals("stream-eos"))) {
        PipelineResult running =
            job.startsWith("stream")
                ? startStream(
                    servers, clicks, orders, out, deadLetters, prefix, job.equals("stream-eos"))
                : startPassThrough(servers, clicks, orders, out);
        try {
          EventFeed.start(servers, clicks, orders, warmUp, 0, true).await(Duration.ofMinutes(2));
          if (!outputs.awaitCount(warmUp.size(), Duration.ofMinutes(3))) {
            throw new IllegalStateException(
                job
                    + ": only "
                    + outputs.count()
                    + " of "
                    + warmUp.size()
                    + " warm-up events came out");
          }
          EventFeed.start(servers, clicks, orders, measured, rate, true)
              .await(Duration.ofMinutes(30));
          if (!outputs.awaitCount(warmUp.size() + measured.size(), Duration.ofMinutes(5))) {
            throw new IllegalStateException(
                job
                    + ": only "
                    + outputs.count()
                    + " of "
                    + (warmUp.size() + measured.size())
                    + " events came out");
          }
        } finally {
          JobControl.cancel(running);
        }
        Map<String, Long> sent = new HashMap<>();
        for (TopicTail.Received r : clicksIn.records()) {
          sent.putIfAbsent(r.key(), r.timestamp());
        }
        for (TopicTail.Received r : ordersIn.records()) {
          sent.putIfAbsent(r.key(), r.timestamp());
        }
        return figures(job, measuredIds(), sent, outputs.records());
      }
    }

    private Set<String> measuredIds() {
      Set<String> ids = new HashSet<>();
      for (ReplayEvents.Message m : measured) {
        ids.add(m.id());
      }
      return ids;
    }

    private static Result figures(
        String job, Set<String> ids, Map<String, Long> sent, List<TopicTail.Received> outputs)
        throws IOException {
      List<Long> outTimes = new ArrayList<>();
      List<Long> latencies = new ArrayList<>();
      for (TopicTail.Received r : outputs) {
        String id =
            job.startsWith("stream") ? JSON.readTree(r.value()).path("event_id").asText() : r.key();
        if (!ids.contains(id) || !sent.containsKey(id)) {
          continue;
        }
        outTimes.add(r.timestamp());
        latencies.add(r.timestamp() - sent.get(id));
      }
      long[] times = outTimes.stream().mapToLong(Long::longValue).sorted().toArray();
      long[] lat = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      int lo = (int) (times.length * 0.1);
      int hi = (int) (times.length * 0.9) - 1;
      double seconds = Math.max(1, times[hi] - times[lo]) / 1000.0;
      return new Result(
          (hi - lo) / seconds, percentile(lat, 0.50), percentile(lat, 0.99), times.length);
    }

    private static long percentile(long[] sorted, double q) {
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /**
     * Embedded Flink, with the bundle settings given on the command line (Beam's defaults
     * otherwise).
     */
    private String[] runnerArgs() {
      FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
      return new String[] {
        "--runner=FlinkRunner",
        "--flinkMaster=[local]",
        "--streaming=true",
        "--attachedMode=false",
        "--parallelism=" + options.getFlinkParallelism(),
        "--maxBundleTimeMills=" + flink.getMaxBundleTimeMills(),
        "--maxBundleSize=" + flink.getMaxBundleSize(),
        "--fasterCopy=" + flink.getFasterCopy()
      };
    }

    private PipelineResult startStream(
        String servers,
        String clicks,
        String orders,
        String out,
        String deadLetters,
        String group,
        boolean exactlyOnce) {
      List<String> args = new ArrayList<>(Arrays.asList(runnerArgs()));
      if (exactlyOnce) {
        args.add("--deliveryGuarantee=exactly_once");
        args.add("--checkpointingInterval=" + options.getEosCheckpointingInterval());
      }
      args.addAll(
          List.of(
              "--bootstrapServers=" + servers,
              "--clicksTopic=" + clicks,
              "--ordersTopic=" + orders,
              "--predictionsTopic=" + out,
              "--deadLettersTopic=" + deadLetters,
              "--consumerGroup=" + group,
              "--auditTopic=" + group + "-audit",
              "--driftTopic=" + group + "-drift",
              "--profiles=" + profiles,
              "--registry=" + registry,
              "--model=" + MODEL_NAME + "@champion",
              "--featureMode=" + options.getStreamFeatureMode()));
      StreamOptions stream =
          PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
              .withValidation()
              .as(StreamOptions.class);
      return StreamPipeline.start(
          stream, HmacKey.ofBytes("benchmark-key-not-secret".getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Both topics copied to the output as they are, keys kept: what Kafka in and out costs alone.
     */
    private PipelineResult startPassThrough(
        String servers, String clicks, String orders, String out) {
      Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(runnerArgs()).create());
      PCollection<KV<String, String>> in =
          PCollectionList.of(p.apply("ReadClicks", read(servers, clicks)))
              .and(p.apply("ReadOrders", read(servers, orders)))
              .apply("FlattenTopics", Flatten.pCollections());
      in.apply(
          "WriteOutput",
          KafkaIO.<String, String>write()
              .withBootstrapServers(servers)
              .withTopic(out)
              .withKeySerializer(StringSerializer.class)
              .withValueSerializer(StringSerializer.class));
      return p.run();
    }

    private static PTransform<PBegin, PCollection<KV<String, String>>> read(
        String servers, String topic) {
      return KafkaIO.<String, String>read()
          .withBootstrapServers(servers)
          .withTopic(topic)
          .withKeyDeserializer(StringDeserializer.class)
          .withValueDeserializer(StringDeserializer.class)
          .withConsumerConfigUpdates(Map.of("auto.offset.reset", "earliest"))
          .withoutMetadata();
    }
  }
}
