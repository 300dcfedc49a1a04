package io.beamml.pipelines.stream;

import io.beamml.transforms.parse.Utf8;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Event time from the message itself, and a watermark that trails the latest event time by a fixed
 * out-of-orderness: KafkaIO's {@code CustomTimestampPolicyWithLimitedDelay}, with two differences
 * that matter here.
 *
 * <ul>
 *   <li>A message whose time cannot be read is stamped with its Kafka record timestamp, so it still
 *       flows to Parse and becomes a dead letter, but that fallback does not move the watermark: a
 *       broken message replayed long after its neighbours must not make them all late.
 *   <li>A partition with nothing to read (backlog 0) lets the watermark advance to the backlog
 *       check time less the out-of-orderness even if it never held a message, so an empty topic or
 *       partition does not hold the whole job's watermark back forever. Beam's policy advances only
 *       partitions that have been read from.
 * </ul>
 *
 * <p>Like Beam's, the watermark never passes {@code now - maxOutOfOrderness}, however far in the
 * future an event claims to be. The idle rule assumes later messages carry times no older than
 * {@code now - maxOutOfOrderness}; a replay of old data into a running job after it went idle
 * therefore arrives late (and is dead-lettered as such by the features step).
 *
 * <p>Message values are bytes (Parse decodes them strictly); the time is read from their lenient
 * decoding, which can only differ from the strict one for a message Parse will refuse anyway.
 *
 * <p>Counter {@code stream/<topic>.unreadable_event_time}: messages stamped with the fallback.
 */
public final class EventTimePolicy extends TimestampPolicy<byte[], byte[]> {

  private final SerializableFunction<String, @Nullable Long> eventTime;
  private final Duration maxOutOfOrderness;
  private final Counter unreadable;
  private Instant maxEventTime;
  private Instant lastWatermark = BoundedWindow.TIMESTAMP_MIN_VALUE;

  EventTimePolicy(
      SerializableFunction<String, @Nullable Long> eventTime,
      Duration maxOutOfOrderness,
      Counter unreadable,
      Optional<Instant> previousWatermark) {
    this.eventTime = eventTime;
    this.maxOutOfOrderness = maxOutOfOrderness;
    this.unreadable = unreadable;
    this.maxEventTime = previousWatermark.orElse(BoundedWindow.TIMESTAMP_MIN_VALUE);
  }

  /** A factory for KafkaIO: one policy per partition, resuming from a checkpointed watermark. */
  public static TimestampPolicyFactory<byte[], byte[]> factory(
      SerializableFunction<String, @Nullable Long> eventTime, Duration maxOutOfOrderness) {
    if (eventTime == null
        || maxOutOfOrderness == null
        || maxOutOfOrderness.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "an event time function and a non-negative out-of-orderness are required");
    }
    return new Factory(eventTime, maxOutOfOrderness);
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext ctx, KafkaRecord<byte[], byte[]> record) {
    byte[] value = record.getKV().getValue();
    Long millis = value == null ? null : eventTime.apply(Utf8.decodeLenient(value));
    if (millis == null
        || millis < BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis()
        || millis > BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis()) {
      unreadable.inc();
      return new Instant(record.getTimestamp());
    }
    Instant time = new Instant(millis);
    if (time.isAfter(maxEventTime)) {
      maxEventTime = time;
    }
    return time;
  }

  @Override
  public Instant getWatermark(PartitionContext ctx) {
    return watermark(ctx, Instant.now());
  }

  /** Never goes back: after an idle advance, a late message does not pull the watermark down. */
  Instant watermark(PartitionContext ctx, Instant now) {
    Instant next = candidate(ctx, now);
    if (next.isAfter(lastWatermark)) {
      lastWatermark = next;
    }
    return lastWatermark;
  }

  private Instant candidate(PartitionContext ctx, Instant now) {
    if (maxEventTime.isAfter(now)) {
      return now.minus(maxOutOfOrderness);
    }
    Instant idleWatermark =
        ctx.getBacklogCheckTime() == null
            ? null
            : ctx.getBacklogCheckTime().minus(maxOutOfOrderness);
    if (ctx.getMessageBacklog() == 0
        && idleWatermark != null
        && idleWatermark.isAfter(maxEventTime)) {
      return idleWatermark;
    }
    if (maxEventTime.equals(BoundedWindow.TIMESTAMP_MIN_VALUE)) {
      return maxEventTime;
    }
    return maxEventTime.minus(maxOutOfOrderness);
  }

  private static final class Factory implements TimestampPolicyFactory<byte[], byte[]> {
    private static final long serialVersionUID = 1L;

    private final SerializableFunction<String, @Nullable Long> eventTime;
    private final Duration maxOutOfOrderness;

    Factory(SerializableFunction<String, @Nullable Long> eventTime, Duration maxOutOfOrderness) {
      this.eventTime = eventTime;
      this.maxOutOfOrderness = maxOutOfOrderness;
    }

    @Override
    public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
        TopicPartition partition, Optional<Instant> previousWatermark) {
      Counter unreadable =
          Metrics.counter(
              StreamCounters.NAMESPACE, StreamCounters.unreadableEventTime(partition.topic()));
      return new EventTimePolicy(eventTime, maxOutOfOrderness, unreadable, previousWatermark);
    }
  }
}
