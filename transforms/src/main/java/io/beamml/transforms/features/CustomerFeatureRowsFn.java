package io.beamml.transforms.features;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.features.StreamingCustomerFeatures.Mode;
import io.beamml.transforms.windowing.TimerTimes;
import java.util.List;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * The streaming features' one stateful step: a customer's event buffer and the two ways rows leave
 * it. The buffer is the customer's events in a bag and the closed-through time that decides which
 * arrivals are late (see {@link FeatureLateness}); admitting an event (or dead-lettering it as
 * late), reading the buffer in event order and forgetting what can no longer count are the same in
 * both modes.
 *
 * <p>{@link Mode#EXACT}: rows that equal the batch backfill's. An event waits in the buffer until
 * the watermark has passed its time plus the allowed lateness, and its row is then computed over
 * everything the customer had up to that point. The buffer holds both the events still waiting
 * (after the closed-through time) and the history they may need (at or before it); the flush timer
 * fires for the earliest waiting event and holds the output watermark at that event's time, so the
 * rows it emits are not late downstream. When nothing waits, the same timer fires once the history
 * can no longer count and clears the customer.
 *
 * <p>{@link Mode#LOW_LATENCY}: a row the moment its event arrives, over the customer's events that
 * arrived before it (and itself). The prune timer fires when the oldest buffered event can no
 * longer count, drops what the watermark has made useless and clears the customer once nothing is
 * left; it holds nothing back but its own firing time.
 *
 * <p>Each mode has its own timer and the cell beside it, under the ids the modes had as separate
 * DoFns: state ids are part of a running job's savepoints, and a restored timer whose id has no
 * callback fails the job. A mode never touches the other's pair, and Beam keeps nothing for state
 * or timers that are never written.
 */
final class CustomerFeatureRowsFn extends DoFn<KV<String, CustomerEvent>, FeatureRow> {

  private static final String EVENTS = "events";
  private static final String CLOSED_THROUGH = "closedThrough";

  /** {@link Mode#EXACT}: the time of the earliest event still waiting for its row. */
  private static final String EARLIEST_WAITING = "earliestWaiting";

  private static final String FLUSH = "flush";

  /** {@link Mode#LOW_LATENCY}: when the prune timer is set for; empty when it is not set. */
  private static final String PRUNE_AT = "pruneAt";

  private static final String PRUNE = "prune";

  @StateId(EVENTS)
  private final StateSpec<BagState<CustomerEvent>> eventsSpec =
      StateSpecs.bag(AvroCoder.specific(CustomerEvent.class));

  @StateId(CLOSED_THROUGH)
  private final StateSpec<ValueState<Long>> closedThroughSpec = StateSpecs.value(VarLongCoder.of());

  @StateId(EARLIEST_WAITING)
  private final StateSpec<ValueState<Long>> earliestWaitingSpec =
      StateSpecs.value(VarLongCoder.of());

  @TimerId(FLUSH)
  private final TimerSpec flushSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  @StateId(PRUNE_AT)
  private final StateSpec<ValueState<Long>> pruneAtSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId(PRUNE)
  private final TimerSpec pruneSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  private final Mode mode;
  private final FeatureCalculator calculator;
  private final FeatureLateness lateness;
  private final TupleTag<FeatureRow> rowsTag;
  private final TupleTag<DeadLetter> deadLetterTag;
  private final Counter rows =
      Metrics.counter(StreamingCustomerFeatures.METRICS_NAMESPACE, StreamingCustomerFeatures.ROWS);
  private final Counter lateEvents =
      Metrics.counter(
          StreamingCustomerFeatures.METRICS_NAMESPACE, StreamingCustomerFeatures.LATE_EVENTS);
  private final Distribution retained =
      Metrics.distribution(
          StreamingCustomerFeatures.METRICS_NAMESPACE, StreamingCustomerFeatures.RETAINED_EVENTS);

  CustomerFeatureRowsFn(
      Mode mode,
      FeatureCalculator calculator,
      FeatureLateness lateness,
      TupleTag<FeatureRow> rowsTag,
      TupleTag<DeadLetter> deadLetterTag) {
    this.mode = mode;
    this.calculator = calculator;
    this.lateness = lateness;
    this.rowsTag = rowsTag;
    this.deadLetterTag = deadLetterTag;
  }

  @ProcessElement
  public void processElement(
      @Element KV<String, CustomerEvent> element,
      @Timestamp Instant timestamp,
      @StateId(EVENTS) BagState<CustomerEvent> events,
      @StateId(CLOSED_THROUGH) ValueState<Long> closedThrough,
      @StateId(EARLIEST_WAITING) ValueState<Long> earliestWaiting,
      @TimerId(FLUSH) Timer flush,
      @StateId(PRUNE_AT) ValueState<Long> pruneAt,
      @TimerId(PRUNE) Timer prune,
      MultiOutputReceiver out) {
    CustomerEvent event = element.getValue();
    FeatureLateness.checkTimestamp(timestamp, event);
    // Both timers are in event time: either tells the input watermark.
    long watermark = flush.getCurrentRelativeTime().getMillis();
    if (lateness.isLate(event.getEventTime(), closedThrough.read(), watermark)) {
      lateEvents.inc();
      out.get(deadLetterTag)
          .outputWithTimestamp(
              lateness.deadLetter(event),
              TimerTimes.inGlobalWindow(Math.max(timestamp.getMillis(), watermark)));
      return;
    }
    if (mode == Mode.EXACT) {
      waitUntilFinal(event, events, earliestWaiting, flush);
    } else {
      emitOnArrival(element.getKey(), event, timestamp, events, pruneAt, prune, out);
    }
  }

  /**
   * {@link Mode#EXACT}: buffers the event and moves the flush timer to it if it is the earliest.
   */
  private void waitUntilFinal(
      CustomerEvent event,
      BagState<CustomerEvent> events,
      ValueState<Long> earliestWaiting,
      Timer flush) {
    events.add(event);
    long time = event.getEventTime();
    Long earliest = earliestWaiting.read();
    if (earliest == null || time < earliest) {
      earliestWaiting.write(time);
      flushAt(flush, time);
    }
  }

  /** {@link Mode#EXACT}: emits the rows the watermark made final and sets the next flush. */
  @OnTimer(FLUSH)
  public void onFlush(
      OnTimerContext context,
      @StateId(EVENTS) BagState<CustomerEvent> events,
      @StateId(CLOSED_THROUGH) ValueState<Long> closedThrough,
      @StateId(EARLIEST_WAITING) ValueState<Long> earliestWaiting,
      @TimerId(FLUSH) Timer flush) {
    Long previous = closedThrough.read();
    long closed =
        lateness.closedThrough(
            previous,
            context.fireTimestamp().getMillis(),
            flush.getCurrentRelativeTime().getMillis());
    List<CustomerEvent> sorted = sorted(events);
    int from = previous == null ? 0 : FeatureCalculator.firstAfter(sorted, previous);
    int to = FeatureCalculator.firstAfter(sorted, closed);
    if (from < to) {
      String customerKey = sorted.get(from).getCustomerKey();
      for (FeatureRow row : calculator.rowsForSortedEvents(customerKey, sorted, from, to, null)) {
        context.outputWithTimestamp(rowsTag, row, new Instant(row.getEventTime()));
      }
      rows.inc(to - from);
    }
    closedThrough.write(closed);
    int keep = forget(events, sorted, closed);

    if (to < sorted.size()) {
      long next = sorted.get(to).getEventTime();
      earliestWaiting.write(next);
      flushAt(flush, next);
    } else if (keep < sorted.size()) {
      earliestWaiting.clear();
      // Nothing waits; fire again when the newest history can no longer count. This timer emits
      // nothing, so it holds the watermark only at its own firing time.
      Instant forgetAt =
          TimerTimes.inGlobalWindow(
              Math.max(
                  lateness.forgettableAt(sorted.get(sorted.size() - 1).getEventTime()),
                  context.timestamp().getMillis()));
      flush.withOutputTimestamp(forgetAt).set(forgetAt);
    } else {
      // Nothing waits and nothing can count again: forget the customer. An event at or before
      // the closed-through time is still late afterwards, by the watermark test.
      events.clear();
      closedThrough.clear();
      earliestWaiting.clear();
    }
  }

  /** Fires when rows at {@code eventTime} are final, holding the output watermark at that time. */
  private void flushAt(Timer flush, long eventTime) {
    flush
        .withOutputTimestamp(TimerTimes.inGlobalWindow(eventTime))
        .set(TimerTimes.inGlobalWindow(lateness.finalAt(eventTime)));
  }

  /**
   * {@link Mode#LOW_LATENCY}: emits the event's row over the buffer as it stands, buffers the event
   * and sets the prune timer if none is set.
   */
  private void emitOnArrival(
      String customerKey,
      CustomerEvent event,
      Instant timestamp,
      BagState<CustomerEvent> events,
      ValueState<Long> pruneAt,
      Timer prune,
      MultiOutputReceiver out) {
    long time = event.getEventTime();
    List<CustomerEvent> history = sorted(events);
    int at = FeatureCalculator.firstAfter(history, time);
    // Among the events at the same time, this one goes where EVENT_ORDER puts it.
    while (at > 0
        && history.get(at - 1).getEventTime() == time
        && FeatureCalculator.EVENT_ORDER.compare(history.get(at - 1), event) > 0) {
      at--;
    }
    history.add(at, event);
    FeatureRow row = calculator.rowsForSortedEvents(customerKey, history, at, at + 1, null).get(0);
    out.get(rowsTag).outputWithTimestamp(row, new Instant(time));
    rows.inc();
    events.add(event);

    if (pruneAt.read() == null) {
      // A timer's output timestamp may be neither before this element nor after the timer.
      pruneAt(
          prune,
          pruneAt,
          Math.max(lateness.forgettableAt(history.get(0).getEventTime()), timestamp.getMillis()));
    }
  }

  /** {@link Mode#LOW_LATENCY}: forgets what can no longer count and sets the next prune. */
  @OnTimer(PRUNE)
  public void onPrune(
      OnTimerContext context,
      @StateId(EVENTS) BagState<CustomerEvent> events,
      @StateId(CLOSED_THROUGH) ValueState<Long> closedThrough,
      @StateId(PRUNE_AT) ValueState<Long> pruneAt,
      @TimerId(PRUNE) Timer prune) {
    long closed =
        lateness.closedThrough(
            closedThrough.read(),
            context.fireTimestamp().getMillis(),
            prune.getCurrentRelativeTime().getMillis());
    List<CustomerEvent> sorted = sorted(events);
    int keep = forget(events, sorted, closed);
    if (keep == sorted.size()) {
      // Nothing can count again: forget the customer. An event at or before the closed-through
      // time is still late afterwards, by the watermark test.
      events.clear();
      closedThrough.clear();
      pruneAt.clear();
      return;
    }
    closedThrough.write(closed);
    pruneAt(
        prune,
        pruneAt,
        Math.max(
            lateness.forgettableAt(sorted.get(keep).getEventTime()),
            context.timestamp().getMillis()));
  }

  private static void pruneAt(Timer prune, ValueState<Long> pruneAt, long millis) {
    Instant target = TimerTimes.inGlobalWindow(millis);
    pruneAt.write(target.getMillis());
    prune.withOutputTimestamp(target).set(target);
  }

  /** The buffer in {@link FeatureCalculator#EVENT_ORDER}. */
  private static List<CustomerEvent> sorted(BagState<CustomerEvent> events) {
    return FeatureCalculator.sortedByTime(events.read());
  }

  /**
   * Drops the events that can never count again once the customer is closed through {@code closed},
   * rewriting the bag when something goes; returns the index in {@code sorted} of the first event
   * kept.
   */
  private int forget(BagState<CustomerEvent> events, List<CustomerEvent> sorted, long closed) {
    int keep = FeatureCalculator.firstAfter(sorted, lateness.forgettableThrough(closed));
    if (keep > 0) {
      events.clear();
      for (CustomerEvent e : sorted.subList(keep, sorted.size())) {
        events.add(e);
      }
    }
    retained.update(sorted.size() - keep);
    return keep;
  }
}
