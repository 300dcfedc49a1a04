package io.beamml.pipelines.stream;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The message values of one Kafka topic as the bytes sent, each stamped with the event time read
 * from the message (see {@link EventTimePolicy}), ready for the same Parse step a backfill's file
 * lines go through, which decodes them strictly (Kafka's {@code StringDeserializer} would turn
 * invalid UTF-8 into U+FFFD). Keys are ignored; a message without a value (a tombstone) becomes the
 * empty line, so Parse dead-letters it as blank instead of it vanishing.
 *
 * <p>With a consumer group, offsets are committed to Kafka only when the runner finalizes a
 * checkpoint holding them (on Flink: a completed checkpoint), so a job that stops and starts again
 * with the same group resumes after the last finalized position, re-reading what came after it.
 * Without {@link #withMaxRecords} or {@link #withMaxReadTime} the output is unbounded.
 */
public final class ReadTopic extends PTransform<PBegin, PCollection<byte[]>> {

  private final String bootstrapServers;
  private final String topic;
  private final SerializableFunction<String, @Nullable Long> eventTime;
  private final Duration maxOutOfOrderness;
  private final @Nullable String consumerGroup;
  private final long maxRecords;
  private final @Nullable Duration maxReadTime;

  private ReadTopic(
      String bootstrapServers,
      String topic,
      SerializableFunction<String, @Nullable Long> eventTime,
      Duration maxOutOfOrderness,
      @Nullable String consumerGroup,
      long maxRecords,
      @Nullable Duration maxReadTime) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.eventTime = eventTime;
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.consumerGroup = consumerGroup;
    this.maxRecords = maxRecords;
    this.maxReadTime = maxReadTime;
  }

  /**
   * Reads {@code topic} from its earliest offset (or the group's committed one), with event times
   * from {@code eventTime} (null when unreadable) and a watermark {@code maxOutOfOrderness} behind.
   */
  public static ReadTopic of(
      String bootstrapServers,
      String topic,
      SerializableFunction<String, @Nullable Long> eventTime,
      Duration maxOutOfOrderness) {
    if (bootstrapServers == null
        || bootstrapServers.isBlank()
        || topic == null
        || topic.isBlank()) {
      throw new IllegalArgumentException("bootstrap servers and a topic are required");
    }
    return new ReadTopic(
        bootstrapServers,
        topic,
        Objects.requireNonNull(eventTime, "eventTime"),
        Objects.requireNonNull(maxOutOfOrderness, "maxOutOfOrderness"),
        null,
        Long.MAX_VALUE,
        null);
  }

  /** Reads as this consumer group and commits offsets when checkpoints are finalized. */
  public ReadTopic withConsumerGroup(String group) {
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException("consumer group must not be empty");
    }
    return new ReadTopic(
        bootstrapServers, topic, eventTime, maxOutOfOrderness, group, maxRecords, maxReadTime);
  }

  /** Stops after this many messages (spread evenly over the readers): a bounded smoke run. */
  public ReadTopic withMaxRecords(long maxRecords) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("max records must be at least 1, got " + maxRecords);
    }
    return new ReadTopic(
        bootstrapServers,
        topic,
        eventTime,
        maxOutOfOrderness,
        consumerGroup,
        maxRecords,
        maxReadTime);
  }

  /** Stops reading after this long: a bounded smoke run. */
  public ReadTopic withMaxReadTime(Duration maxReadTime) {
    return new ReadTopic(
        bootstrapServers,
        topic,
        eventTime,
        maxOutOfOrderness,
        consumerGroup,
        maxRecords,
        Objects.requireNonNull(maxReadTime, "maxReadTime"));
  }

  public String topic() {
    return topic;
  }

  @Override
  public PCollection<byte[]> expand(PBegin begin) {
    Map<String, Object> consumer = new HashMap<>();
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaIO.Read<byte[], byte[]> read =
        KafkaIO.<byte[], byte[]>read()
            .withBootstrapServers(bootstrapServers)
            .withTopic(topic)
            .withKeyDeserializerAndCoder(
                ByteArrayDeserializer.class, NullableCoder.of(ByteArrayCoder.of()))
            .withValueDeserializerAndCoder(
                ByteArrayDeserializer.class, NullableCoder.of(ByteArrayCoder.of()))
            .withTimestampPolicyFactory(EventTimePolicy.factory(eventTime, maxOutOfOrderness));
    if (consumerGroup != null) {
      consumer.put(ConsumerConfig.GROUP_ID_CONFIG, consumerGroup);
      read = read.withConsumerConfigUpdates(consumer).commitOffsetsInFinalize();
    } else {
      read = read.withConsumerConfigUpdates(consumer);
    }
    if (maxRecords != Long.MAX_VALUE) {
      read = read.withMaxNumRecords(maxRecords);
    }
    if (maxReadTime != null) {
      read = read.withMaxReadTime(maxReadTime);
    }
    return begin
        .apply("ReadFromKafka", read)
        .apply(
            "TakeValues",
            MapElements.into(TypeDescriptor.of(byte[].class)).via(ReadTopic::valueOrEmpty))
        .setCoder(ByteArrayCoder.of());
  }

  private static byte[] valueOrEmpty(KafkaRecord<byte[], byte[]> record) {
    byte[] value = record.getKV().getValue();
    return value == null ? new byte[0] : value;
  }
}
