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
 * Rows that equal the batch backfill's: a customer's events wait in the buffer until the watermark
 * has passed their time plus the allowed lateness, and are then computed over everything the
 * customer had up to that point. The buffer holds both the events still waiting (after the
 * closed-through time) and the history they may need (at or before it); one event-time timer per
 * customer fires for the earliest waiting event, and holds the output watermark at that event's
 * time so the rows it emits are not late downstream. When nothing waits, the same timer fires once
 * the history can no longer count and clears the customer.
 */
final class ExactFeatureRowsFn extends CustomerEventBufferFn {

  private static final String EARLIEST_WAITING = "earliestWaiting";
  private static final String FLUSH = "flush";

  @StateId(EVENTS)
  private final StateSpec<BagState<CustomerEvent>> eventsSpec = eventsSpec();

  @StateId(CLOSED_THROUGH)
  private final StateSpec<ValueState<Long>> closedThroughSpec = closedThroughSpec();

  @StateId(EARLIEST_WAITING)
  private final StateSpec<ValueState<Long>> earliestWaitingSpec =
      StateSpecs.value(VarLongCoder.of());

  @TimerId(FLUSH)
  private final TimerSpec flushSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  ExactFeatureRowsFn(
      FeatureCalculator calculator, FeatureLateness lateness, TupleTag<DeadLetter> deadLetterTag) {
    super(calculator, lateness, deadLetterTag);
  }

  @ProcessElement
  public void processElement(
      @Element KV<String, CustomerEvent> element,
      @Timestamp Instant timestamp,
      @StateId(EVENTS) BagState<CustomerEvent> events,
      @StateId(CLOSED_THROUGH) ValueState<Long> closedThrough,
      @StateId(EARLIEST_WAITING) ValueState<Long> earliestWaiting,
      @TimerId(FLUSH) Timer flush,
      MultiOutputReceiver out) {
    CustomerEvent event = element.getValue();
    if (!admit(event, timestamp, closedThrough.read(), flush.getCurrentRelativeTime(), out)) {
      return;
    }
    events.add(event);
    long time = event.getEventTime();
    Long earliest = earliestWaiting.read();
    if (earliest == null || time < earliest) {
      earliestWaiting.write(time);
      flushAt(flush, time);
    }
  }

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
        context.outputWithTimestamp(row, new Instant(row.getEventTime()));
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
}
