package io.beamml.pipelines.stream;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Writes records to a Kafka topic as JSON text, each under a key of its own (null allowed), with
 * Kafka's idempotent producer (acks=all).
 *
 * <p>Delivery is at least once by default ({@link #withExactlyOnce} writes in transactions). A
 * bundle that fails after some of its messages were sent is retried and sends them again, and a job
 * restarted from a checkpoint or committed offset older than its last write writes those records
 * again; consumers see such repeats with the same key and value. Beam's exactly-once sink avoids
 * them at the cost of a transaction per bundle, of output that appears only after the checkpoint,
 * and of a non-daemon thread per run.
 *
 * <p>Counter {@code stream/<topic>.written}: records handed to the producer.
 */
public final class WriteTopic<T> extends PTransform<PCollection<T>, PDone> {

  private final String bootstrapServers;
  private final String topic;
  private final SerializableFunction<T, @Nullable String> key;
  private final SerializableFunction<T, String> json;

  private static final KvCoder<String, String> RECORD_CODER =
      KvCoder.of(NullableCoder.of(StringUtf8Coder.of()), StringUtf8Coder.of());

  /**
   * Records per transaction at most: Beam's exactly-once sink commits a transaction per element it
   * gets, so its elements are a bundle's records (a Flink bundle holds up to --maxBundleSize).
   */
  private static final int MAX_RECORDS_PER_BATCH = 1000;

  /**
   * Kafka's producer answers "concurrent transactions" to the first request of a transaction while
   * the coordinator still completes the previous one, and retries after {@code retry.backoff.ms}
   * (default 100 ms, growing to {@code retry.backoff.max.ms} on repeated failures): each
   * transaction waited those 100 ms.
   */
  private static final int TRANSACTION_RETRY_BACKOFF_MS = 5;

  private final int exactlyOnceShards;
  private final @Nullable String sinkGroupId;

  private WriteTopic(
      String bootstrapServers,
      String topic,
      SerializableFunction<T, @Nullable String> key,
      SerializableFunction<T, String> json,
      int exactlyOnceShards,
      @Nullable String sinkGroupId) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.key = key;
    this.json = json;
    this.exactlyOnceShards = exactlyOnceShards;
    this.sinkGroupId = sinkGroupId;
  }

  /** Each record goes to {@code topic} as {@code json(record)} under {@code key(record)}. */
  public static <T> WriteTopic<T> of(
      String bootstrapServers,
      String topic,
      SerializableFunction<T, @Nullable String> key,
      SerializableFunction<T, String> json) {
    if (bootstrapServers == null
        || bootstrapServers.isBlank()
        || topic == null
        || topic.isBlank()) {
      throw new IllegalArgumentException("bootstrap servers and a topic are required");
    }
    return new WriteTopic<>(
        bootstrapServers,
        topic,
        Objects.requireNonNull(key, "key"),
        Objects.requireNonNull(json, "json"),
        0,
        null);
  }

  /**
   * Writes in Kafka transactions instead (Beam's exactly-once sink): {@code shards} writers, each
   * committing what it received once the runner's checkpoint holding it completed, and recording
   * its progress under {@code sinkGroupId} (unique per job and topic) so that a job restored from a
   * checkpoint or savepoint skips what was already committed. A {@code read_committed} consumer
   * then sees every record once, across any failure, about one checkpoint interval later.
   */
  public WriteTopic<T> withExactlyOnce(int shards, String sinkGroupId) {
    if (shards < 1) {
      throw new IllegalArgumentException("exactly-once shards must be at least 1, got " + shards);
    }
    if (sinkGroupId == null || sinkGroupId.isBlank()) {
      throw new IllegalArgumentException("an exactly-once sink needs a sink group id");
    }
    return new WriteTopic<>(bootstrapServers, topic, key, json, shards, sinkGroupId);
  }

  @Override
  public PDone expand(PCollection<T> records) {
    PCollection<KV<String, String>> rendered =
        records
            .apply("RenderJson", ParDo.of(new RenderFn<>(topic, key, json)))
            .setCoder(RECORD_CODER);
    // Both modes keep the step name "WriteToKafka": the exactly-once sink's state lives under it.
    if (sinkGroupId == null) {
      return rendered.apply(
          "WriteToKafka",
          KafkaIO.<String, String>write()
              .withBootstrapServers(bootstrapServers)
              .withTopic(topic)
              .withKeySerializer(StringSerializer.class)
              .withValueSerializer(StringSerializer.class));
    }
    return rendered
        .apply("IntoOneWindow", Window.<KV<String, String>>into(new GlobalWindows()))
        .apply("BatchPerBundle", ParDo.of(new BatchRecordsPerBundle(MAX_RECORDS_PER_BATCH)))
        .setCoder(KvCoder.of(NullableCoder.of(StringUtf8Coder.of()), ListCoder.of(RECORD_CODER)))
        .apply(
            "WriteToKafka",
            KafkaIO.<String, List<KV<String, String>>>write()
                .withBootstrapServers(bootstrapServers)
                .withTopic(topic)
                .withKeySerializer(StringSerializer.class)
                .withValueSerializer(BatchUnpackingProducer.NotSerialized.class)
                .withProducerFactoryFn(BatchUnpackingProducer.factory())
                .withProducerConfigUpdates(
                    Map.of(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, TRANSACTION_RETRY_BACKOFF_MS))
                .withEOS(exactlyOnceShards, sinkGroupId));
  }

  private static final class RenderFn<T> extends DoFn<T, KV<String, String>> {
    private final SerializableFunction<T, @Nullable String> key;
    private final SerializableFunction<T, String> json;
    private final Counter written;

    RenderFn(
        String topic,
        SerializableFunction<T, @Nullable String> key,
        SerializableFunction<T, String> json) {
      this.key = key;
      this.json = json;
      this.written = Metrics.counter(StreamCounters.NAMESPACE, StreamCounters.written(topic));
    }

    @ProcessElement
    public void processElement(@Element T record, OutputReceiver<KV<String, String>> out) {
      written.inc();
      out.output(KV.of(key.apply(record), json.apply(record)));
    }
  }
}
