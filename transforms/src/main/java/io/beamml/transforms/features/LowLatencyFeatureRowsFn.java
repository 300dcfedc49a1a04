package io.beamml.transforms.features;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.windowing.TimerTimes;
import java.util.List;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * Rows the moment their event arrives, computed over the customer's events that arrived before it
 * (and itself). One event-time timer per customer fires when the oldest buffered event can no
 * longer count, prunes what the watermark has made useless, and clears the customer once nothing is
 * left. Rows are emitted from the element itself, so the timer holds nothing back but its own
 * firing time.
 */
final class LowLatencyFeatureRowsFn extends CustomerEventBufferFn {

  private static final String PRUNE_AT = "pruneAt";
  private static final String PRUNE = "prune";

  @StateId(EVENTS)
  private final StateSpec<BagState<CustomerEvent>> eventsSpec = eventsSpec();

  @StateId(CLOSED_THROUGH)
  private final StateSpec<ValueState<Long>> closedThroughSpec = closedThroughSpec();

  @StateId(PRUNE_AT)
  private final StateSpec<ValueState<Long>> pruneAtSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId(PRUNE)
  private final TimerSpec pruneSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  private final TupleTag<FeatureRow> rowsTag;

  LowLatencyFeatureRowsFn(
      FeatureCalculator calculator,
      FeatureLateness lateness,
      TupleTag<FeatureRow> rowsTag,
      TupleTag<DeadLetter> deadLetterTag) {
    super(calculator, lateness, deadLetterTag);
    this.rowsTag = rowsTag;
  }

  @ProcessElement
  public void processElement(
      @Element KV<String, CustomerEvent> element,
      @Timestamp Instant timestamp,
      @StateId(EVENTS) BagState<CustomerEvent> events,
      @StateId(CLOSED_THROUGH) ValueState<Long> closedThrough,
      @StateId(PRUNE_AT) ValueState<Long> pruneAt,
      @TimerId(PRUNE) Timer prune,
      MultiOutputReceiver out) {
    CustomerEvent event = element.getValue();
    if (!admit(event, timestamp, closedThrough.read(), prune.getCurrentRelativeTime(), out)) {
      return;
    }
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
    FeatureRow row =
        calculator.rowsForSortedEvents(element.getKey(), history, at, at + 1, null).get(0);
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
}
