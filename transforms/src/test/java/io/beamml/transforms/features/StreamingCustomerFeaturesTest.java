package io.beamml.transforms.features;

import static io.beamml.transforms.features.FeatureTestData.DAY;
import static io.beamml.transforms.features.FeatureTestData.HOUR;
import static io.beamml.transforms.features.FeatureTestData.MINUTE;
import static io.beamml.transforms.features.FeatureTestData.SIGNUP_2026_01_01;
import static io.beamml.transforms.features.FeatureTestData.T;
import static io.beamml.transforms.features.FeatureTestData.event;
import static io.beamml.transforms.features.FeatureTestData.profile;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.features.StreamingCustomerFeatures.Mode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class StreamingCustomerFeaturesTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final FeatureSpec SPEC = FeatureSpec.defaultSpec();
  private static final FeatureSpec RICH = FeatureSpec.fromJson(FeatureTestData.RICH_SPEC_JSON);
  private static final AvroCoder<CustomerEvent> EVENT_CODER =
      AvroCoder.specific(CustomerEvent.class);

  private static final CustomerProfile ALICE = profile("alice", 34, "F", "DE", SIGNUP_2026_01_01);
  // Two profiles for bob: the later signup wins, as in the batch.
  private static final CustomerProfile BOB_OLD =
      profile("bob", 51, "M", "FR", SIGNUP_2026_01_01 - 90);
  private static final CustomerProfile BOB = profile("bob", 52, "M", "FR", SIGNUP_2026_01_01 - 30);

  @Test
  public void exactRowsEqualTheBatchOnOutOfOrderInputWithinTheLateness() {
    CustomerEvent a1 = event("a1", "alice", "view", T - 7 * DAY, null, "web");
    CustomerEvent a2 = event("a2", "alice", "view", T - 7 * DAY + 1, null, "app");
    CustomerEvent a3 = event("a3", "alice", "order", T - DAY, 5.0, null);
    CustomerEvent a4 = event("a4", "alice", "order", T - DAY + 1, 7.25, null);
    CustomerEvent a5 = event("a5", "alice", "click", T, null, "web");
    CustomerEvent a6 = event("a6", "alice", "click", T, null, "email");
    CustomerEvent a7 = event("a7", "alice", "order", T, 10.5, null);
    CustomerEvent b1 = event("b1", "bob", "order", T - HOUR, 12.5, null);
    CustomerEvent b2 = event("b2", "bob", "click", T - HOUR, null, "web");
    CustomerEvent b3 = event("b3", "bob", "view", T - HOUR + 7 * DAY, null, "web");
    CustomerEvent b4 = event("b4", "bob", "view", T - HOUR + 7 * DAY - 1, null, "web");
    CustomerEvent c1 = event("c1", "carol", "view", T, null, "web");
    List<CustomerEvent> all = List.of(a1, a2, a3, a4, a5, a6, a7, b1, b2, b3, b4, c1);

    Duration lateness = Duration.standardHours(2);
    TestStream<CustomerEvent> stream =
        TestStream.create(EVENT_CODER)
            .advanceWatermarkTo(new Instant(T - 8 * DAY))
            .addElements(stamped(a5), stamped(a2), stamped(b2))
            .advanceWatermarkTo(new Instant(T - 7 * DAY + HOUR))
            // a1 is behind the watermark and before a2, but within the lateness.
            .addElements(stamped(a1))
            .advanceWatermarkTo(new Instant(T - DAY))
            .addElements(stamped(a4), stamped(a3))
            // Closes through T - 1h - 1 ms: bob's events at T - 1h still wait.
            .advanceWatermarkTo(new Instant(T + HOUR))
            .addElements(stamped(b1), stamped(a7), stamped(c1), stamped(a6))
            .advanceWatermarkTo(new Instant(T + 7 * DAY - 2 * HOUR))
            .addElements(stamped(b3), stamped(b4))
            .advanceWatermarkToInfinity();

    WithFailures.Result<PCollection<FeatureRow>, DeadLetter> result =
        pipeline
            .apply("StreamEvents", stream)
            .apply(
                "ComputeStreamingFeatures",
                StreamingCustomerFeatures.of(SPEC)
                    .withProfiles(profilesView(List.of(ALICE, BOB, BOB_OLD)))
                    .withAllowedLateness(lateness));

    List<FeatureRow> expected = batchRows(SPEC, all, List.of(ALICE, BOB, BOB_OLD));
    PAssert.that(result.output().apply("ReifyRowTimestamps", Reify.timestamps()))
        .containsInAnyOrder(stampedRows(expected));
    PAssert.that(result.failures()).empty();

    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(all.size(), counter(run, StreamingCustomerFeatures.ROWS));
    assertEquals(0, counter(run, StreamingCustomerFeatures.LATE_EVENTS));
    assertEquals(1, counter(run, StreamingCustomerFeatures.ROWS_WITHOUT_PROFILE));
  }

  @Test
  public void eventsArrivingAfterTheWatermarkPassedTheirTimePlusTheLatenessAreDeadLettered() {
    CustomerEvent e1 = event("e1", "alice", "view", T, null, "web");
    CustomerEvent e2 = event("e2", "alice", "order", T + HOUR, 20.0, null);
    // After the watermark reached T + 3h with a lateness of 1h, alice is closed through
    // T + 2h - 1 ms: a click at T + 30 min is late, a view at T + 2h still gets its row.
    CustomerEvent lateClick = event("late-click", "alice", "click", T + 30 * MINUTE, null, "web");
    CustomerEvent onTime = event("on-time", "alice", "view", T + 2 * HOUR, null, "app");
    // Bob has no state at all; his order is late by the watermark alone.
    CustomerEvent lateOrder = event("late-order", "bob", "order", T + HOUR, 9.5, null);

    TestStream<CustomerEvent> stream =
        TestStream.create(EVENT_CODER)
            .advanceWatermarkTo(new Instant(T - DAY))
            .addElements(stamped(e1), stamped(e2))
            .advanceWatermarkTo(new Instant(T + 3 * HOUR))
            .addElements(stamped(lateClick), stamped(onTime), stamped(lateOrder))
            .advanceWatermarkToInfinity();

    WithFailures.Result<PCollection<FeatureRow>, DeadLetter> result =
        pipeline
            .apply("StreamEvents", stream)
            .apply(
                "ComputeStreamingFeatures",
                StreamingCustomerFeatures.of(SPEC).withAllowedLateness(Duration.standardHours(1)));

    PAssert.that(result.output())
        .containsInAnyOrder(batchRows(SPEC, List.of(e1, e2, onTime), List.of()));
    Instant arrivalWatermark = new Instant(T + 3 * HOUR);
    PAssert.that(result.failures().apply("ReifyDeadLetterTimestamps", Reify.timestamps()))
        .containsInAnyOrder(
            TimestampedValue.of(
                lateLetter(Sources.CLICKS, lateClick, Duration.standardHours(1)), arrivalWatermark),
            TimestampedValue.of(
                lateLetter(Sources.ORDERS, lateOrder, Duration.standardHours(1)),
                arrivalWatermark));

    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(3, counter(run, StreamingCustomerFeatures.ROWS));
    assertEquals(2, counter(run, StreamingCustomerFeatures.LATE_EVENTS));
  }

  @Test
  public void exactRowsAreNotLateDownstreamThoughEmittedAfterTheLateness() {
    CustomerEvent e1 = event("e1", "alice", "view", T, null, "web");
    CustomerEvent e2 = event("e2", "alice", "click", T + 10 * MINUTE, null, "web");
    TestStream<CustomerEvent> stream =
        TestStream.create(EVENT_CODER)
            .advanceWatermarkTo(new Instant(T - HOUR))
            .addElements(stamped(e1), stamped(e2))
            // The rows come out only now, an hour after their minute windows ended.
            .advanceWatermarkTo(new Instant(T + 2 * HOUR))
            .advanceWatermarkToInfinity();

    PCollection<FeatureRow> rows =
        pipeline
            .apply("StreamEvents", stream)
            .apply(
                "ComputeStreamingFeatures",
                StreamingCustomerFeatures.of(SPEC).withAllowedLateness(Duration.standardHours(1)))
            .output();
    // A windowed consumer without allowed lateness drops late rows; the timer's hold keeps them.
    PCollection<KV<String, Long>> perMinute =
        rows.apply(
                "WindowByMinute",
                Window.<FeatureRow>into(FixedWindows.of(Duration.standardMinutes(1)))
                    .withAllowedLateness(Duration.ZERO))
            .apply(
                "EventIds", MapElements.into(TypeDescriptors.strings()).via(FeatureRow::getEventId))
            .apply("CountPerMinute", Count.perElement());
    PAssert.that(perMinute).containsInAnyOrder(KV.of("e1", 1L), KV.of("e2", 1L));
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void lowLatencyEmitsRowsBeforeTheWatermarkMovesAndExactOnlyAfter() {
    List<CustomerEvent> inOrder =
        List.of(
            event("a1", "alice", "view", T - 7 * DAY, null, "web"),
            event("b1", "bob", "click", T - HOUR, null, "web"),
            event("a2", "alice", "view", T, null, "web"),
            event("a3", "alice", "order", T + HOUR, 4.5, null),
            event("b2", "bob", "order", T + DAY - HOUR, 3.0, null));
    TestStream.Builder<CustomerEvent> builder =
        TestStream.create(EVENT_CODER).advanceWatermarkTo(new Instant(T - 8 * DAY));
    for (CustomerEvent e : inOrder) {
      builder = builder.addElements(stamped(e));
    }
    TestStream<CustomerEvent> stream =
        builder.advanceProcessingTime(Duration.standardMinutes(1)).advanceWatermarkToInfinity();
    PCollection<CustomerEvent> events = pipeline.apply("StreamEvents", stream);
    PCollectionView<Map<String, CustomerProfile>> profiles = profilesView(List.of(ALICE, BOB));

    PCollection<FeatureRow> lowLatency =
        events
            .apply(
                "ComputeLowLatencyFeatures",
                StreamingCustomerFeatures.of(SPEC)
                    .withMode(Mode.LOW_LATENCY)
                    .withProfiles(profiles))
            .output();
    PCollection<FeatureRow> exact =
        events
            .apply(
                "ComputeExactFeatures", StreamingCustomerFeatures.of(SPEC).withProfiles(profiles))
            .output();

    // Panes fired by processing time while the watermark stays put are early panes.
    List<FeatureRow> expected = batchRows(SPEC, inOrder, List.of(ALICE, BOB));
    PAssert.that(lowLatency.apply("PaneLowLatencyRows", processingTimePanes()))
        .inEarlyGlobalWindowPanes()
        .containsInAnyOrder(expected);
    PAssert.that(exact.apply("PaneExactRows", processingTimePanes()))
        .inEarlyGlobalWindowPanes()
        .empty();
    PAssert.that(exact.apply("PaneExactRowsAgain", processingTimePanes()))
        .inFinalPane(GlobalWindow.INSTANCE)
        .containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void lowLatencyRowsCountWhatArrivedBeforeThemAndLateEventsAreDeadLettered() {
    CustomerEvent a2 = event("a2", "alice", "view", T, null, "web");
    CustomerEvent a1 = event("a1", "alice", "view", T - HOUR, null, "web");
    CustomerEvent a3 = event("a3", "alice", "view", T, null, "app");
    CustomerEvent a4 = event("a4", "alice", "click", T + 7 * DAY, null, "web");
    CustomerEvent a5 = event("a5", "alice", "view", T + 8 * DAY, null, "web");

    TestStream<CustomerEvent> stream =
        TestStream.create(EVENT_CODER)
            .advanceWatermarkTo(new Instant(T - 10 * DAY))
            .addElements(stamped(a2))
            .addElements(stamped(a1))
            .addElements(stamped(a3))
            // Alice's history is pruned; a4 is a day behind the watermark.
            .advanceWatermarkTo(new Instant(T + 8 * DAY))
            .addElements(stamped(a4))
            .addElements(stamped(a5))
            .advanceWatermarkToInfinity();

    WithFailures.Result<PCollection<FeatureRow>, DeadLetter> result =
        pipeline
            .apply("StreamEvents", stream)
            .apply(
                "ComputeStreamingFeatures",
                StreamingCustomerFeatures.of(SPEC).withMode(Mode.LOW_LATENCY));

    List<FeatureRow> expected = arrivedSoFarRows(SPEC, List.of(a2, a1, a3, a5));
    // a2 arrived first, so its row counts only itself; the batch counts a1, a2 and a3.
    assertEquals(1.0, viewsOf(expected, "a2"), 0);
    assertEquals(3.0, viewsOf(batchRows(SPEC, List.of(a1, a2, a3), List.of()), "a2"), 0);
    assertEquals(3.0, viewsOf(expected, "a3"), 0);
    PAssert.that(result.output()).containsInAnyOrder(expected);
    PAssert.that(result.failures())
        .containsInAnyOrder(lateLetter(Sources.CLICKS, a4, Duration.ZERO));

    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(4, counter(run, StreamingCustomerFeatures.ROWS));
    assertEquals(1, counter(run, StreamingCustomerFeatures.LATE_EVENTS));
  }

  @Test
  public void exactRowsEqualTheBatchOnRandomlyShuffledEvents() {
    List<CustomerEvent> events = FeatureTestData.randomEvents(42, 300, 6, true);
    List<CustomerProfile> profiles = FeatureTestData.randomProfiles(43, 6);
    TestStream<CustomerEvent> stream = shuffledStream(events, new Random(44), 3 * HOUR, 25);

    WithFailures.Result<PCollection<FeatureRow>, DeadLetter> result =
        pipeline
            .apply("StreamEvents", stream)
            .apply(
                "ComputeStreamingFeatures",
                StreamingCustomerFeatures.of(RICH).withProfiles(profilesView(profiles)));

    PAssert.that(result.output().apply("ReifyRowTimestamps", Reify.timestamps()))
        .containsInAnyOrder(stampedRows(batchRows(RICH, events, profiles)));
    PAssert.that(result.failures()).empty();
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(300, counter(run, StreamingCustomerFeatures.ROWS));
    assertEquals(0, counter(run, StreamingCustomerFeatures.LATE_EVENTS));
  }

  @Test
  public void lowLatencyRowsEqualTheArrivalOrderOracleOnRandomlyShuffledEvents() {
    List<CustomerEvent> events = FeatureTestData.randomEvents(7, 80, 4, true);
    List<CustomerEvent> arrival = arrivalOrder(events, new Random(8), 3 * HOUR);
    // A step never holds two events of one customer, so each customer's arrival order is fixed.
    TestStream.Builder<CustomerEvent> builder = TestStream.create(EVENT_CODER);
    List<TimestampedValue<CustomerEvent>> step = new ArrayList<>();
    Set<String> customersInStep = new HashSet<>();
    long maxSeen = Long.MIN_VALUE;
    long watermark = Long.MIN_VALUE;
    for (CustomerEvent e : arrival) {
      if (!customersInStep.add(e.getCustomerKey())) {
        builder = addAll(builder, step);
        if (maxSeen - 3 * HOUR > watermark) {
          watermark = maxSeen - 3 * HOUR;
          builder = builder.advanceWatermarkTo(new Instant(watermark));
        }
        step.clear();
        customersInStep.clear();
        customersInStep.add(e.getCustomerKey());
      }
      step.add(stamped(e));
      maxSeen = Math.max(maxSeen, e.getEventTime());
    }
    TestStream<CustomerEvent> stream = addAll(builder, step).advanceWatermarkToInfinity();

    WithFailures.Result<PCollection<FeatureRow>, DeadLetter> result =
        pipeline
            .apply("StreamEvents", stream)
            .apply(
                "ComputeStreamingFeatures",
                StreamingCustomerFeatures.of(RICH).withMode(Mode.LOW_LATENCY));

    PAssert.that(result.output()).containsInAnyOrder(arrivedSoFarRows(RICH, arrival));
    PAssert.that(result.failures()).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void stateIsPrunedAsTheWatermarkAdvancesAndRowsStillEqualTheBatch() {
    // One busy customer: an event every 6 hours for 30 days, then silence for two months.
    List<CustomerEvent> events = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      events.add(
          event("v" + i, "alice", i % 5 == 0 ? "click" : "view", T + i * 6 * HOUR, null, "web"));
    }
    CustomerEvent afterSilence = event("after", "alice", "view", T + 90 * DAY, null, "web");
    TestStream.Builder<CustomerEvent> builder =
        TestStream.create(EVENT_CODER).advanceWatermarkTo(new Instant(T - DAY));
    // Two days of events at a time, then the watermark moves to their end.
    for (int i = 0; i < events.size(); i += 8) {
      List<TimestampedValue<CustomerEvent>> step = new ArrayList<>();
      for (CustomerEvent e : events.subList(i, i + 8)) {
        step.add(stamped(e));
      }
      builder = addAll(builder, step).advanceWatermarkTo(new Instant(T + (i + 8) * 6 * HOUR));
    }
    TestStream<CustomerEvent> stream =
        builder
            .advanceWatermarkTo(new Instant(T + 89 * DAY))
            .addElements(stamped(afterSilence))
            .advanceWatermarkToInfinity();
    List<CustomerEvent> all = new ArrayList<>(events);
    all.add(afterSilence);

    WithFailures.Result<PCollection<FeatureRow>, DeadLetter> result =
        pipeline
            .apply("StreamEvents", stream)
            .apply("ComputeStreamingFeatures", StreamingCustomerFeatures.of(SPEC));

    List<FeatureRow> expected = batchRows(SPEC, all, List.of());
    // Nothing from the busy period counts in the row after the silence.
    assertEquals(1.0, viewsOf(expected, "after"), 0);
    PAssert.that(result.output()).containsInAnyOrder(expected);
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    DistributionResult retained = distribution(run, StreamingCustomerFeatures.RETAINED_EVENTS);
    // Seven days of history (28 events) plus the two days still waiting, never all 120 events.
    assertThat(retained.getMax(), lessThanOrEqualTo(37L));
    assertThat(retained.getMax(), greaterThan(20L));
    // The last firing forgets the customer.
    assertEquals(0L, retained.getMin());
  }

  @Test
  public void boundedInputWithoutTimestampsGivesTheBatchRows() {
    List<CustomerEvent> events = FeatureTestData.randomEvents(3, 120, 4, true);
    List<CustomerProfile> profiles = FeatureTestData.randomProfiles(4, 4);
    WithFailures.Result<PCollection<FeatureRow>, DeadLetter> result =
        pipeline
            .apply("CreateEvents", Create.of(events).withCoder(EVENT_CODER))
            .apply(
                "ComputeStreamingFeatures",
                StreamingCustomerFeatures.of(RICH).withProfiles(profilesView(profiles)));
    PAssert.that(result.output().apply("ReifyRowTimestamps", Reify.timestamps()))
        .containsInAnyOrder(stampedRows(batchRows(RICH, events, profiles)));
    PAssert.that(result.failures()).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void rejectsElementsStampedLaterThanTheirEventTime() {
    CustomerEvent e = event("a1", "alice", "view", T, null, "web");
    pipeline
        .apply(
            "CreateEvents",
            Create.timestamped(TimestampedValue.of(e, new Instant(T + 1))).withCoder(EVENT_CODER))
        .apply("ComputeStreamingFeatures", StreamingCustomerFeatures.of(SPEC));
    Pipeline.PipelineExecutionException thrown =
        assertThrows(
            Pipeline.PipelineExecutionException.class, () -> pipeline.run().waitUntilFinish());
    assertThat(thrown.getMessage(), containsString("stamped with its event time"));
  }

  @Test
  public void optionsAreImmutableAndChecked() {
    StreamingCustomerFeatures base = StreamingCustomerFeatures.of(SPEC);
    assertEquals(Mode.EXACT, base.mode());
    assertEquals(Duration.ZERO, base.allowedLateness());
    StreamingCustomerFeatures low =
        base.withMode(Mode.LOW_LATENCY).withAllowedLateness(Duration.standardMinutes(5));
    assertEquals(Mode.EXACT, base.mode());
    assertEquals(Mode.LOW_LATENCY, low.mode());
    assertEquals(Duration.standardMinutes(5), low.allowedLateness());
    assertThrows(
        IllegalArgumentException.class, () -> base.withAllowedLateness(Duration.millis(-1)));
    assertThrows(NullPointerException.class, () -> StreamingCustomerFeatures.of(null));
  }

  @Test
  public void profilesViewRejectsUnboundedProfiles() {
    pipeline.enableAbandonedNodeEnforcement(false);
    PCollection<CustomerProfile> stream =
        pipeline.apply(
            "StreamProfiles",
            TestStream.create(AvroCoder.specific(CustomerProfile.class))
                .addElements(ALICE)
                .advanceWatermarkToInfinity());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> StreamingCustomerFeatures.profilesView(stream));
    assertThat(e.getMessage(), containsString("bounded"));
  }

  // ---------------------------------------------------------------------------------------------

  private PCollectionView<Map<String, CustomerProfile>> profilesView(
      List<CustomerProfile> profiles) {
    return StreamingCustomerFeatures.profilesView(
        pipeline.apply(
            "CreateProfiles",
            Create.of(profiles).withCoder(AvroCoder.specific(CustomerProfile.class))));
  }

  /** The batch rows: FeatureCalculator over each customer's events, with the chosen profile. */
  private static List<FeatureRow> batchRows(
      FeatureSpec spec, List<CustomerEvent> events, List<CustomerProfile> profiles) {
    FeatureCalculator calc = FeatureCalculator.of(spec);
    Map<String, List<CustomerProfile>> profilesByCustomer = new HashMap<>();
    for (CustomerProfile p : profiles) {
      profilesByCustomer.computeIfAbsent(p.getCustomerKey(), k -> new ArrayList<>()).add(p);
    }
    Map<String, List<CustomerEvent>> byCustomer = new HashMap<>();
    for (CustomerEvent e : events) {
      byCustomer.computeIfAbsent(e.getCustomerKey(), k -> new ArrayList<>()).add(e);
    }
    List<FeatureRow> rows = new ArrayList<>();
    for (Map.Entry<String, List<CustomerEvent>> c : byCustomer.entrySet()) {
      CustomerProfile profile =
          FeatureCalculator.chooseProfile(profilesByCustomer.getOrDefault(c.getKey(), List.of()));
      rows.addAll(calc.rowsForEachEvent(c.getKey(), c.getValue(), profile));
    }
    return rows;
  }

  /** LOW_LATENCY's promise: each row as of its event, over the events that arrived before it. */
  private static List<FeatureRow> arrivedSoFarRows(FeatureSpec spec, List<CustomerEvent> arrival) {
    FeatureCalculator calc = FeatureCalculator.of(spec);
    Map<String, List<CustomerEvent>> seen = new HashMap<>();
    List<FeatureRow> rows = new ArrayList<>();
    for (CustomerEvent e : arrival) {
      List<CustomerEvent> history =
          seen.computeIfAbsent(e.getCustomerKey(), k -> new ArrayList<>());
      history.add(e);
      List<CustomerEvent> sorted = FeatureCalculator.sortedByTime(history);
      int at = sorted.indexOf(e);
      rows.add(calc.rowsForSortedEvents(e.getCustomerKey(), sorted, at, at + 1, null).get(0));
    }
    return rows;
  }

  /** Events in a random arrival order, each at most {@code disorder} behind its time order. */
  private static List<CustomerEvent> arrivalOrder(
      List<CustomerEvent> events, Random rnd, long disorder) {
    List<KeyedEvent> keyed = new ArrayList<>();
    for (CustomerEvent e : events) {
      keyed.add(new KeyedEvent(e.getEventTime() + (long) (rnd.nextDouble() * disorder), e));
    }
    keyed.sort(Comparator.comparingLong(KeyedEvent::arrival));
    List<CustomerEvent> arrival = new ArrayList<>();
    for (KeyedEvent k : keyed) {
      arrival.add(k.event());
    }
    return arrival;
  }

  private record KeyedEvent(long arrival, CustomerEvent event) {}

  /**
   * The events shuffled by up to {@code disorder} and added {@code step} at a time; after each step
   * the watermark moves to the latest event time seen minus {@code disorder}, as a source with
   * bounded out-of-orderness moves it, so no event is late.
   */
  private static TestStream<CustomerEvent> shuffledStream(
      List<CustomerEvent> events, Random rnd, long disorder, int step) {
    List<CustomerEvent> arrival = arrivalOrder(events, rnd, disorder);
    TestStream.Builder<CustomerEvent> builder = TestStream.create(EVENT_CODER);
    long maxSeen = Long.MIN_VALUE;
    long watermark = BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis();
    for (int i = 0; i < arrival.size(); i += step) {
      List<TimestampedValue<CustomerEvent>> batch = new ArrayList<>();
      for (CustomerEvent e : arrival.subList(i, Math.min(arrival.size(), i + step))) {
        batch.add(stamped(e));
        maxSeen = Math.max(maxSeen, e.getEventTime());
      }
      builder = addAll(builder, batch);
      if (maxSeen - disorder > watermark) {
        watermark = maxSeen - disorder;
        builder = builder.advanceWatermarkTo(new Instant(watermark));
      }
    }
    return builder.advanceWatermarkToInfinity();
  }

  @SuppressWarnings("unchecked")
  private static TestStream.Builder<CustomerEvent> addAll(
      TestStream.Builder<CustomerEvent> builder, List<TimestampedValue<CustomerEvent>> batch) {
    return builder.addElements(
        batch.get(0), batch.subList(1, batch.size()).toArray(new TimestampedValue[0]));
  }

  /**
   * Groups rows in the global window into a pane 10 seconds of processing time after the first row
   * arrives; the rows come out carrying that pane, so assertions can tell early panes (fired while
   * the watermark had not moved) from the final one (fired when it reached the end).
   */
  private static PTransform<PCollection<FeatureRow>, PCollection<FeatureRow>>
      processingTimePanes() {
    return new PTransform<>() {
      @Override
      public PCollection<FeatureRow> expand(PCollection<FeatureRow> rows) {
        return rows.apply(
                "WindowByProcessingTime",
                Window.<FeatureRow>into(new GlobalWindows())
                    .triggering(
                        Repeatedly.forever(
                            AfterProcessingTime.pastFirstElementInPane()
                                .plusDelayOf(Duration.standardSeconds(10))))
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes())
            .apply("KeyAllAlike", WithKeys.of("rows"))
            .apply("GroupIntoPanes", GroupByKey.create())
            .apply("DropKey", Values.create())
            .apply("Ungroup", Flatten.iterables());
      }
    };
  }

  private static TimestampedValue<CustomerEvent> stamped(CustomerEvent e) {
    return TimestampedValue.of(e, new Instant(e.getEventTime()));
  }

  private static List<TimestampedValue<FeatureRow>> stampedRows(List<FeatureRow> rows) {
    List<TimestampedValue<FeatureRow>> stamped = new ArrayList<>();
    for (FeatureRow r : rows) {
      stamped.add(TimestampedValue.of(r, new Instant(r.getEventTime())));
    }
    return stamped;
  }

  /** A late_event dead letter; only the wording of the message is taken from the code. */
  private static DeadLetter lateLetter(String source, CustomerEvent e, Duration lateness) {
    String message = new FeatureLateness(lateness.getMillis(), 0).deadLetter(e).getMessage();
    return DeadLetters.of(
        source, Steps.FEATURES, Reasons.LATE_EVENT, message, e.toString(), e.getEventTime());
  }

  private static double viewsOf(List<FeatureRow> rows, String eventId) {
    for (FeatureRow r : rows) {
      if (r.getEventId().equals(eventId)) {
        return r.getFeatures().get(0).getNumber();
      }
    }
    throw new AssertionError("no row for " + eventId);
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(StreamingCustomerFeatures.METRICS_NAMESPACE, name))
                    .build())
            .getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }

  private static DistributionResult distribution(PipelineResult result, String name) {
    for (MetricResult<DistributionResult> d :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(StreamingCustomerFeatures.METRICS_NAMESPACE, name))
                    .build())
            .getDistributions()) {
      return d.getAttempted();
    }
    throw new AssertionError("no distribution " + name);
  }
}
