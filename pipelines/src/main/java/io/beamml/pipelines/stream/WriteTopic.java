package io.beamml.pipelines.stream;

import java.util.Objects;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
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
 * them at the cost of a transaction per checkpoint, of output that appears only after the
 * checkpoint, and of a non-daemon thread per run.
 *
 * <p>Counter {@code stream/<topic>.written}: records handed to the producer.
 */
public final class WriteTopic<T> extends PTransform<PCollection<T>, PDone> {

  private final String bootstrapServers;
  private final String topic;
  private final SerializableFunction<T, @Nullable String> key;
  private final SerializableFunction<T, String> json;

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
    KafkaIO.Write<String, String> write =
        KafkaIO.<String, String>write()
            .withBootstrapServers(bootstrapServers)
            .withTopic(topic)
            .withKeySerializer(StringSerializer.class)
            .withValueSerializer(StringSerializer.class);
    if (sinkGroupId != null) {
      write = write.withEOS(exactlyOnceShards, sinkGroupId);
    }
    // Both modes keep the step name "WriteToKafka": the exactly-once sink's state lives under it.
    return records
        .apply("RenderJson", ParDo.of(new RenderFn<>(topic, key, json)))
        .setCoder(KvCoder.of(NullableCoder.of(StringUtf8Coder.of()), StringUtf8Coder.of()))
        .apply("WriteToKafka", write);
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
