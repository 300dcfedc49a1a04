package io.beamml.transforms.dedup;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.Channel;
import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.ClickType;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class DedupTest {

  private static final Coder<ClickEvent> CODER = AvroCoder.specific(ClickEvent.class);
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void batchKeepsFirstArrivalsAndRoutesAndCountsRepeats() {
    ClickEvent a = click("a", "c1", T0);
    ClickEvent b = click("b", "c2", T0.plus(Duration.standardMinutes(1)));
    ClickEvent c = click("c", "c1", T0.plus(Duration.standardMinutes(2)));
    PCollection<ClickEvent> input =
        pipeline.apply(
            "CreateClicks",
            Create.timestamped(
                    stamped(a), stamped(b), stamped(a), stamped(c), stamped(a), stamped(b))
                .withCoder(CODER));

    DedupResult<ClickEvent> result = input.apply("Dedup", Dedup.byKey(ClickEvent::getEventId));

    assertEquals(CODER, result.unique().getCoder());
    assertEquals(CODER, result.duplicates().getCoder());
    PAssert.that(result.unique().apply("ReifyUnique", Reify.timestamps()))
        .containsInAnyOrder(stamped(a), stamped(b), stamped(c));
    PAssert.that(result.duplicates()).containsInAnyOrder(a, a, b);

    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(3L, duplicatesCounted(run));
  }

  @Test
  public void emitOnArrivalDedupsABoundedInputInPerIdStateWithTheSameOutputs() {
    ClickEvent a = click("a", "c1", T0);
    ClickEvent b = click("b", "c2", T0.plus(Duration.standardMinutes(1)));
    PCollection<ClickEvent> input =
        pipeline.apply(
            "CreateClicks",
            Create.timestamped(stamped(a), stamped(b), stamped(a), stamped(b), stamped(a))
                .withCoder(CODER));

    DedupResult<ClickEvent> result =
        input.apply("Dedup", Dedup.byKey(ClickEvent::getEventId).withEmitOnArrival());

    PAssert.that(result.unique().apply("ReifyUnique", Reify.timestamps()))
        .containsInAnyOrder(stamped(a), stamped(b));
    PAssert.that(result.duplicates()).containsInAnyOrder(a, a, b);
    // The stateful path, not the grouping that fires only at the window's end.
    List<String> steps = new ArrayList<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            steps.add(node.getFullName());
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            steps.add(node.getFullName());
          }
        });
    assertTrue(steps.toString(), steps.contains("Dedup/RouteRepeatArrivals"));
    assertFalse(steps.toString(), steps.contains("Dedup/GroupByEventId"));

    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(3L, duplicatesCounted(run));
  }

  @Test
  public void recordsSharingAnIdAreDuplicatesWhateverTheirContent() {
    ClickEvent first = click("shared", "c1", T0);
    ClickEvent other = click("shared", "c2", T0.plus(Duration.standardSeconds(5)));
    // Same content apart from the id: not duplicates.
    ClickEvent x = click("x", "c3", T0);
    ClickEvent y = click("y", "c3", T0);
    PCollection<ClickEvent> input =
        pipeline.apply(
            "CreateClicks",
            Create.timestamped(stamped(first), stamped(other), stamped(x), stamped(y))
                .withCoder(CODER));

    DedupResult<ClickEvent> result = input.apply("Dedup", Dedup.byKey(ClickEvent::getEventId));

    PAssert.that(result.unique().apply("CountUnique", Count.globally())).containsInAnyOrder(3L);
    PAssert.that(result.duplicates().apply("CountDuplicates", Count.globally()))
        .containsInAnyOrder(1L);
    PAssert.that(result.duplicates())
        .satisfies(
            dups -> {
              for (ClickEvent d : dups) {
                assertEquals("shared", d.getEventId());
              }
              return null;
            });
    PCollection<ClickEvent> everything =
        PCollectionList.of(result.unique())
            .and(result.duplicates())
            .apply("FlattenOutputs", Flatten.pCollections());
    PAssert.that(everything).containsInAnyOrder(first, other, x, y);

    pipeline.run().waitUntilFinish();
  }

  @Test
  public void streamingForgetsAnIdOnlyAfterTheWatermarkPassesItsHorizon() {
    Duration horizon = Duration.standardMinutes(10);
    ClickEvent a = click("a", "c1", T0);
    ClickEvent b = click("b", "c2", T0.plus(Duration.standardMinutes(1)));
    ClickEvent aWithin = click("a", "c1", T0.plus(Duration.standardMinutes(5)));
    ClickEvent bWithin = click("b", "c2", T0.plus(Duration.standardSeconds(630)));
    ClickEvent aAfter = click("a", "c1", T0.plus(Duration.standardMinutes(12)));

    TestStream<ClickEvent> events =
        TestStream.create(CODER)
            .addElements(stamped(a), stamped(b))
            .addElements(stamped(aWithin))
            // Past a's horizon (T0 + 10 min) but not b's (T0 + 11 min).
            .advanceWatermarkTo(T0.plus(horizon).plus(Duration.millis(1)))
            .addElements(stamped(aAfter), stamped(bWithin))
            .advanceWatermarkToInfinity();

    DedupResult<ClickEvent> result =
        pipeline
            .apply("StreamClicks", events)
            .apply("Dedup", Dedup.<ClickEvent>byKey(ClickEvent::getEventId).withHorizon(horizon));

    PAssert.that(result.unique()).containsInAnyOrder(a, b, aAfter);
    PAssert.that(result.duplicates()).containsInAnyOrder(aWithin, bWithin);

    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(2L, duplicatesCounted(run));
  }

  @Test
  public void aNamedSourceLabelsTheDuplicatesCounter() {
    ClickEvent a = click("a", "c1", T0);
    pipeline
        .apply(
            "CreateClicks", Create.timestamped(stamped(a), stamped(a), stamped(a)).withCoder(CODER))
        .apply("Dedup", Dedup.byKey(ClickEvent::getEventId).withSource("clicks"));
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(2L, duplicatesCounted(run, "duplicates{source=clicks}"));
    assertEquals(0L, duplicatesCounted(run, Dedup.DUPLICATES_COUNTER));
  }

  @Test
  public void rejectsANonPositiveHorizon() {
    Dedup<ClickEvent> dedup = Dedup.byKey(ClickEvent::getEventId);
    assertEquals(Dedup.DEFAULT_HORIZON, dedup.horizon());
    assertThrows(IllegalArgumentException.class, () -> dedup.withHorizon(Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class, () -> dedup.withHorizon(Duration.standardHours(-1)));
  }

  private static long duplicatesCounted(PipelineResult run) {
    return duplicatesCounted(run, Dedup.DUPLICATES_COUNTER);
  }

  private static long duplicatesCounted(PipelineResult run, String name) {
    List<MetricResult<Long>> counters = new ArrayList<>();
    run.metrics()
        .queryMetrics(
            MetricsFilter.builder()
                .addNameFilter(MetricNameFilter.named(Dedup.METRICS_NAMESPACE, name))
                .build())
        .getCounters()
        .forEach(counters::add);
    return counters.stream().mapToLong(MetricResult::getAttempted).sum();
  }

  private static TimestampedValue<ClickEvent> stamped(ClickEvent event) {
    return TimestampedValue.of(event, new Instant(event.getEventTime()));
  }

  private static ClickEvent click(String eventId, String customerId, Instant eventTime) {
    return ClickEvent.newBuilder()
        .setEventId(eventId)
        .setCustomerId(customerId)
        .setEventType(ClickType.click)
        .setProductId("p1")
        .setPrice(9.5)
        .setEventTime(eventTime.getMillis())
        .setSessionId("s1")
        .setChannel(Channel.web)
        .build();
  }
}
