package io.beamml.transforms.features;

import static io.beamml.transforms.windowing.TimerTimes.minus;
import static io.beamml.transforms.windowing.TimerTimes.plus;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The time arithmetic both streaming modes share: when a customer's events are final, which
 * arrivals are late, and which retained events can never count again. Kept in one place so the two
 * modes, their documentation and their tests cannot drift apart.
 *
 * <p>Each customer has a <em>closed-through</em> time C, raised at every timer firing for that
 * customer to the latest time that the watermark has passed by more than the allowed lateness. An
 * event is late when its event time is at or before C, or when its event time plus the allowed
 * lateness is before the input watermark at its arrival; both say the same thing (the watermark
 * passed the event's time plus the lateness) from the customer's state and from the watermark, so a
 * customer's state may be dropped once it holds nothing that can count again. Events at or before
 * {@code C - maxWindow} can never count again: every event still accepted is after C, and its
 * window reaches back less than maxWindow.
 */
final class FeatureLateness implements Serializable {

  private static final long serialVersionUID = 1L;

  private final long latenessMillis;
  private final long maxWindowMillis;

  FeatureLateness(long latenessMillis, long maxWindowMillis) {
    if (latenessMillis < 0 || maxWindowMillis < 0) {
      throw new IllegalArgumentException(
          "lateness and window must not be negative, got "
              + latenessMillis
              + " and "
              + maxWindowMillis);
    }
    this.latenessMillis = latenessMillis;
    this.maxWindowMillis = maxWindowMillis;
  }

  /** Whether an event arriving now is late (see the class comment). */
  boolean isLate(long eventTime, @Nullable Long closedThrough, long inputWatermark) {
    return (closedThrough != null && eventTime <= closedThrough)
        || plus(eventTime, latenessMillis) < inputWatermark;
  }

  /**
   * The closed-through time after a timer set for {@code firedAt} fired with the input watermark at
   * {@code inputWatermark}: everything the watermark has passed by more than the lateness, and at
   * least what the timer itself was set for, never lower than before.
   */
  long closedThrough(@Nullable Long previous, long firedAt, long inputWatermark) {
    long closed =
        Math.max(minus(firedAt, latenessMillis), minus(minus(inputWatermark, 1), latenessMillis));
    return previous == null ? closed : Math.max(previous, closed);
  }

  /** Events at or before this time can never count in a row again. */
  long forgettableThrough(long closedThrough) {
    return minus(closedThrough, maxWindowMillis);
  }

  /** When the rows of events at {@code eventTime} become final: the watermark must pass it. */
  long finalAt(long eventTime) {
    return plus(eventTime, latenessMillis);
  }

  /** When an event at {@code eventTime} becomes forgettable: the watermark must pass it. */
  long forgettableAt(long eventTime) {
    return plus(plus(eventTime, maxWindowMillis), latenessMillis);
  }

  /** The dead letter of a late event; orders come from the orders input, the rest from clicks. */
  DeadLetter deadLetter(CustomerEvent event) {
    String source = "order".equals(event.getEventType()) ? Sources.ORDERS : Sources.CLICKS;
    return DeadLetters.of(
        source,
        Steps.FEATURES,
        Reasons.LATE_EVENT,
        "event arrived after the watermark passed its event time plus the allowed lateness ("
            + latenessMillis
            + " ms); rows as of its time were already final",
        event.toString(),
        event.getEventTime());
  }

  /** Checks the contract that element timestamps are (no later than) the events' event times. */
  static void checkTimestamp(Instant timestamp, CustomerEvent event) {
    if (timestamp.getMillis() > event.getEventTime()) {
      throw new IllegalArgumentException(
          "streaming customer features need each element stamped with its event time; an element"
              + " is stamped "
              + timestamp
              + " but its event time is "
              + new Instant(event.getEventTime()));
    }
  }
}
