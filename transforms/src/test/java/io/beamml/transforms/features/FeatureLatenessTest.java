package io.beamml.transforms.features;

import static io.beamml.transforms.features.FeatureTestData.DAY;
import static io.beamml.transforms.features.FeatureTestData.HOUR;
import static io.beamml.transforms.features.FeatureTestData.T;
import static io.beamml.transforms.features.FeatureTestData.event;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.windowing.TimerTimes;
import java.util.List;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.joda.time.Instant;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class FeatureLatenessTest {

  private final FeatureLateness lateness = new FeatureLateness(HOUR, 7 * DAY);

  @Test
  public void anEventIsLateOnceTheWatermarkPassedItsTimePlusTheLateness() {
    // Against the watermark alone: late only when time + lateness is strictly before it.
    assertFalse(lateness.isLate(T, null, T + HOUR));
    assertTrue(lateness.isLate(T, null, T + HOUR + 1));
    // Against the customer's closed-through time: at or before it is late.
    assertTrue(lateness.isLate(T, T, Long.MIN_VALUE));
    assertFalse(lateness.isLate(T + 1, T, Long.MIN_VALUE));
  }

  @Test
  public void closedThroughFollowsTheTimerAndTheWatermarkAndNeverFalls() {
    // A timer set for T + 1h fired with the watermark just past it: rows through T are final.
    assertEquals(T, lateness.closedThrough(null, T + HOUR, T + HOUR + 1));
    // The watermark may have moved further: everything it passed by more than the lateness.
    assertEquals(T + DAY - 1, lateness.closedThrough(null, T + HOUR, T + DAY + HOUR));
    assertEquals(T + 2 * DAY, lateness.closedThrough(T + 2 * DAY, T + HOUR, T + DAY + HOUR));
    // Closing through C makes exactly the events at or before C late, also by the watermark.
    long closed = lateness.closedThrough(null, T + HOUR, T + DAY + HOUR);
    assertEquals(lateness.isLate(closed, null, T + DAY + HOUR), lateness.isLate(closed, closed, 0));
    assertEquals(
        lateness.isLate(closed + 1, null, T + DAY + HOUR), lateness.isLate(closed + 1, closed, 0));
  }

  @Test
  public void eventsMoreThanTheLongestWindowBeforeTheClosedTimeAreForgettable() {
    assertEquals(T - 7 * DAY, lateness.forgettableThrough(T));
    assertEquals(T + HOUR, lateness.finalAt(T));
    assertEquals(T + 7 * DAY + HOUR, lateness.forgettableAt(T));
    // A timer at forgettableAt(t) closes through t + 7 days, which forgets t.
    long closed =
        lateness.closedThrough(null, lateness.forgettableAt(T), lateness.forgettableAt(T) + 1);
    assertTrue(T <= lateness.forgettableThrough(closed));
    assertTrue(T + 1 > lateness.forgettableThrough(closed));
  }

  @Test
  public void firstAfterSplitsSortedEventsAtATime() {
    List<CustomerEvent> sorted =
        FeatureCalculator.sortedByTime(
            List.of(
                event("c", "c1", "view", T + 1, null, "web"),
                event("a", "c1", "view", T, null, "web"),
                event("b", "c1", "view", T, null, "web")));
    assertEquals(List.of("a", "b", "c"), sorted.stream().map(CustomerEvent::getEventId).toList());
    assertEquals(0, FeatureCalculator.firstAfter(sorted, T - 1));
    assertEquals(2, FeatureCalculator.firstAfter(sorted, T));
    assertEquals(3, FeatureCalculator.firstAfter(sorted, T + 1));
  }

  @Test
  public void arithmeticSaturatesAndTimersStayInTheGlobalWindow() {
    assertEquals(Long.MAX_VALUE, TimerTimes.plus(Long.MAX_VALUE - 1, 5));
    assertEquals(Long.MIN_VALUE, TimerTimes.minus(Long.MIN_VALUE + 1, 5));
    assertEquals(Long.MIN_VALUE, TimerTimes.plus(Long.MIN_VALUE + 1, -5));
    assertEquals(GlobalWindow.INSTANCE.maxTimestamp(), TimerTimes.inGlobalWindow(Long.MAX_VALUE));
    assertEquals(BoundedWindow.TIMESTAMP_MIN_VALUE, TimerTimes.inGlobalWindow(Long.MIN_VALUE));
    assertEquals(new Instant(T), TimerTimes.inGlobalWindow(T));
  }

  @Test
  public void lateOrdersAndClicksAreDeadLetteredWithTheirSourceAndEvent() {
    CustomerEvent order = event("o1", "c1", "order", T, 12.5, null);
    DeadLetter letter = lateness.deadLetter(order);
    assertEquals(Sources.ORDERS, letter.getSource());
    assertEquals(Steps.FEATURES, letter.getStep());
    assertEquals(Reasons.LATE_EVENT, letter.getReason());
    assertEquals(order.toString(), letter.getRaw());
    assertEquals(Long.valueOf(T), letter.getEventTime());
    assertEquals(
        Sources.CLICKS, lateness.deadLetter(event("v1", "c1", "view", T, null, "app")).getSource());
  }

  @Test
  public void rejectsNegativeDurationsAndTimestampsLaterThanEventTimes() {
    assertThrows(IllegalArgumentException.class, () -> new FeatureLateness(-1, DAY));
    CustomerEvent e = event("v1", "c1", "view", T, null, "web");
    FeatureLateness.checkTimestamp(new Instant(T), e);
    FeatureLateness.checkTimestamp(BoundedWindow.TIMESTAMP_MIN_VALUE, e);
    assertThrows(
        IllegalArgumentException.class,
        () -> FeatureLateness.checkTimestamp(new Instant(T + 1), e));
  }
}
