package io.beamml.transforms.windowing;

import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.joda.time.Instant;

/**
 * Event-time arithmetic for stateful DoFns that set timers: sums that saturate instead of wrapping
 * (an event time plus a lateness must not overflow past Long.MIN_VALUE), and times kept inside the
 * global window, where Beam refuses a timer or output timestamp outside it.
 */
public final class TimerTimes {

  private TimerTimes() {}

  /** A timer time or output timestamp inside the global window. */
  public static Instant inGlobalWindow(long millis) {
    long min = BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis();
    long max = GlobalWindow.INSTANCE.maxTimestamp().getMillis();
    return new Instant(Math.min(max, Math.max(min, millis)));
  }

  /** {@code a + b}, saturating at Long's bounds. */
  public static long plus(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
  }

  /** {@code a - b}, saturating at Long's bounds. */
  public static long minus(long a, long b) {
    long r = a - b;
    return ((a ^ b) & (a ^ r)) < 0 ? (b > 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
  }
}
