package io.beamml.pipelines.stream;

import static org.junit.Assert.assertEquals;

import io.beamml.transforms.parse.EventTimes;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

public class EventTimePolicyTest {

  private static final Duration DELAY = Duration.standardSeconds(5);
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  private final EventTimePolicy policy =
      new EventTimePolicy(
          EventTimes::clickEventTime,
          DELAY,
          Metrics.counter("test", "unreadable"),
          Optional.empty());

  @Test
  public void stampsEventTimeAndTrailsTheLatestByTheOutOfOrderness() {
    assertEquals(
        Instant.parse("2026-01-02T10:00:00Z"),
        policy.getTimestampForRecord(busy(), record("2026-01-02T10:00:00Z", NOW)));
    policy.getTimestampForRecord(busy(), record("2026-01-02T09:00:00Z", NOW));

    assertEquals(Instant.parse("2026-01-02T09:59:55Z"), policy.watermark(busy(), NOW));
  }

  @Test
  public void unreadableTimeFallsBackToTheRecordTimestampWithoutMovingTheWatermark() {
    policy.getTimestampForRecord(busy(), record("2026-01-02T10:00:00Z", NOW));

    Instant stamped = policy.getTimestampForRecord(busy(), record("yesterday", NOW));

    assertEquals(NOW, stamped);
    assertEquals(Instant.parse("2026-01-02T09:59:55Z"), policy.watermark(busy(), NOW));
  }

  @Test
  public void futureEventsCapTheWatermarkAtNow() {
    policy.getTimestampForRecord(busy(), record("2100-01-01T00:00:00Z", NOW));

    assertEquals(NOW.minus(DELAY), policy.watermark(busy(), NOW));
  }

  @Test
  public void anIdlePartitionAdvancesEvenIfItNeverHeldAMessage() {
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, policy.watermark(busy(), NOW));

    assertEquals(NOW.minus(DELAY), policy.watermark(idle(NOW), NOW));
  }

  @Test
  public void theWatermarkNeverGoesBack() {
    assertEquals(NOW.minus(DELAY), policy.watermark(idle(NOW), NOW));
    policy.getTimestampForRecord(busy(), record("2026-01-02T10:00:00Z", NOW));

    assertEquals(NOW.minus(DELAY), policy.watermark(busy(), NOW));
  }

  private static KafkaRecord<byte[], byte[]> record(String eventTime, Instant kafkaTime) {
    String json = "{\"event_id\":\"E1\",\"event_time\":\"" + eventTime + "\"}";
    return new KafkaRecord<>(
        "clicks",
        0,
        0,
        kafkaTime.getMillis(),
        KafkaTimestampType.CREATE_TIME,
        new RecordHeaders(),
        "E1".getBytes(StandardCharsets.UTF_8),
        json.getBytes(StandardCharsets.UTF_8));
  }

  private static TimestampPolicy.PartitionContext busy() {
    return context(10, NOW);
  }

  private static TimestampPolicy.PartitionContext idle(Instant checked) {
    return context(0, checked);
  }

  private static TimestampPolicy.PartitionContext context(long backlog, Instant checked) {
    return new TimestampPolicy.PartitionContext() {
      @Override
      public long getMessageBacklog() {
        return backlog;
      }

      @Override
      public Instant getBacklogCheckTime() {
        return checked;
      }
    };
  }
}
