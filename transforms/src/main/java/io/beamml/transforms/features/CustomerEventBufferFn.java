package io.beamml.transforms.features;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
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
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A customer's event buffer, the state both streaming feature modes keep: the customer's events in
 * a bag and the closed-through time that decides which arrivals are late (see {@link
 * FeatureLateness}). The modes differ only in when they emit rows; admitting an event (or
 * dead-lettering it as late), reading the buffer in event order and forgetting what can no longer
 * count are written here once, with the metrics they tick. Beam lets a DoFn reference only state it
 * declares itself, so each mode declares the two cells under these ids with these specs. The ids
 * are part of a running job's savepoints: renaming them loses the state on an upgrade.
 */
abstract class CustomerEventBufferFn extends DoFn<KV<String, CustomerEvent>, FeatureRow> {

  static final String EVENTS = "events";
  static final String CLOSED_THROUGH = "closedThrough";

  protected final FeatureCalculator calculator;
  protected final FeatureLateness lateness;
  private final TupleTag<DeadLetter> deadLetterTag;
  protected final Counter rows =
      Metrics.counter(StreamingCustomerFeatures.METRICS_NAMESPACE, StreamingCustomerFeatures.ROWS);
  private final Counter lateEvents =
      Metrics.counter(
          StreamingCustomerFeatures.METRICS_NAMESPACE, StreamingCustomerFeatures.LATE_EVENTS);
  private final Distribution retained =
      Metrics.distribution(
          StreamingCustomerFeatures.METRICS_NAMESPACE, StreamingCustomerFeatures.RETAINED_EVENTS);

  CustomerEventBufferFn(
      FeatureCalculator calculator, FeatureLateness lateness, TupleTag<DeadLetter> deadLetterTag) {
    this.calculator = calculator;
    this.lateness = lateness;
    this.deadLetterTag = deadLetterTag;
  }

  /** The customer's events, in arrival order. */
  static StateSpec<BagState<CustomerEvent>> eventsSpec() {
    return StateSpecs.bag(AvroCoder.specific(CustomerEvent.class));
  }

  /** The customer's closed-through time (see {@link FeatureLateness}). */
  static StateSpec<ValueState<Long>> closedThroughSpec() {
    return StateSpecs.value(VarLongCoder.of());
  }

  /**
   * Whether the event may join the buffer: false for a late one, which goes to the dead letters
   * stamped no earlier than the watermark (so a windowed dead-letter sink keeps it).
   */
  final boolean admit(
      CustomerEvent event,
      Instant timestamp,
      @Nullable Long closedThrough,
      Instant watermark,
      MultiOutputReceiver out) {
    FeatureLateness.checkTimestamp(timestamp, event);
    if (!lateness.isLate(event.getEventTime(), closedThrough, watermark.getMillis())) {
      return true;
    }
    lateEvents.inc();
    out.get(deadLetterTag)
        .outputWithTimestamp(
            lateness.deadLetter(event),
            TimerTimes.inGlobalWindow(Math.max(timestamp.getMillis(), watermark.getMillis())));
    return false;
  }

  /** The buffer in {@link FeatureCalculator#EVENT_ORDER}. */
  static List<CustomerEvent> sorted(BagState<CustomerEvent> events) {
    return FeatureCalculator.sortedByTime(events.read());
  }

  /**
   * Drops the events that can never count again once the customer is closed through {@code closed},
   * rewriting the bag when something goes; returns the index in {@code sorted} of the first event
   * kept.
   */
  final int forget(BagState<CustomerEvent> events, List<CustomerEvent> sorted, long closed) {
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
