package io.beamml.transforms.validate;

import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.Order;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import java.io.Serializable;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * The data contract's value rules for each source. Required fields and types are Parse's work;
 * these rules catch values that parse but cannot be true.
 *
 * <p>Event times must fall within a plausible range, by default from 2000-01-01T00:00Z to one day
 * after the moment a record is checked (processing time), so a streaming job that runs for weeks
 * keeps accepting today's events. {@link #withPlausibleRange} fixes both ends instead, for runs
 * that must judge the same way whenever they are repeated.
 */
public final class ContractRules implements Serializable {

  private static final long serialVersionUID = 1L;

  public static final String PRICE_NOT_NEGATIVE = "price_not_negative";
  public static final String AMOUNT_NOT_NEGATIVE = "amount_not_negative";
  public static final String QUANTITY_POSITIVE = "quantity_positive";
  public static final String EVENT_TIME_PLAUSIBLE = "event_time_plausible";
  public static final String AGE_IN_RANGE = "age_in_range";
  public static final String SIGNUP_DATE_PLAUSIBLE = "signup_date_plausible";
  public static final String RESPONDED_IS_BINARY = "responded_is_binary";

  public static final Instant DEFAULT_MIN_TIME = Instant.parse("2000-01-01T00:00:00Z");
  public static final int MIN_AGE = 0;
  public static final int MAX_AGE = 120;

  private static final long MILLIS_PER_DAY = 24L * 60 * 60 * 1000;

  /** With the default range, how far past the checking moment an event time may lie. */
  private static final long DEFAULT_MAX_AHEAD_MILLIS = MILLIS_PER_DAY;

  /** maxMillis value meaning "now + maxAheadMillis at the moment of the check". */
  private static final long ROLLING = Long.MIN_VALUE;

  private final long minMillis;
  private final long maxMillis;

  /** What "now" is for the default range's upper bound (the system clock unless a test says). */
  private final Clock clock;

  private ContractRules(long minMillis, long maxMillis, Clock clock) {
    this.minMillis = minMillis;
    this.maxMillis = maxMillis;
    this.clock = clock;
  }

  /** The rules with the default plausible range: 2000-01-01 to one day after the check. */
  public static ContractRules defaults() {
    return new ContractRules(DEFAULT_MIN_TIME.toEpochMilli(), ROLLING, Clock.systemUTC());
  }

  /** The same rules with event times (and signup dates) plausible within [min, max]. */
  public ContractRules withPlausibleRange(Instant min, Instant max) {
    if (min == null || max == null || min.isAfter(max)) {
      throw new IllegalArgumentException(
          "plausible range must have min <= max: " + min + ", " + max);
    }
    return new ContractRules(min.toEpochMilli(), max.toEpochMilli(), clock);
  }

  /**
   * The same rules reading "now" from {@code clock} (which must be serialisable, as the JDK's are).
   */
  public ContractRules withClock(Clock clock) {
    return new ContractRules(minMillis, maxMillis, Objects.requireNonNull(clock, "clock"));
  }

  public Instant plausibleMin() {
    return Instant.ofEpochMilli(minMillis);
  }

  /** The upper bound as of now (it moves with the clock unless a range was fixed). */
  public Instant plausibleMax() {
    return Instant.ofEpochMilli(maxNow(maxMillis, clock));
  }

  private static long maxNow(long maxMillis, Clock clock) {
    return maxMillis == ROLLING ? clock.millis() + DEFAULT_MAX_AHEAD_MILLIS : maxMillis;
  }

  public List<Rule<ClickEvent>> clicks() {
    return List.of(
        Rule.of(
            PRICE_NOT_NEGATIVE,
            (ClickEvent c) -> c.getPrice() == null || c.getPrice() >= 0,
            c -> "price " + c.getPrice() + " is negative"),
        eventTimePlausible(ClickEvent::getEventTime));
  }

  /** For sales and the orders topic alike. */
  public List<Rule<Order>> orders() {
    return List.of(
        Rule.of(
            AMOUNT_NOT_NEGATIVE,
            (Order o) -> o.getAmount() >= 0,
            o -> "amount " + o.getAmount() + " is negative"),
        Rule.of(
            QUANTITY_POSITIVE,
            (Order o) -> o.getQuantity() > 0,
            o -> "quantity " + o.getQuantity() + " is not positive"),
        eventTimePlausible(Order::getOrderTime));
  }

  public List<Rule<Profile>> profiles() {
    long minDay = Math.floorDiv(minMillis, MILLIS_PER_DAY);
    long fixedMax = maxMillis;
    Clock now = clock;
    return List.of(
        Rule.of(
            AGE_IN_RANGE,
            (Profile p) -> p.getAge() >= MIN_AGE && p.getAge() <= MAX_AGE,
            p -> "age " + p.getAge() + " is outside [" + MIN_AGE + ", " + MAX_AGE + "]"),
        Rule.of(
            SIGNUP_DATE_PLAUSIBLE,
            (Profile p) ->
                p.getSignupDate() >= minDay
                    && p.getSignupDate() <= Math.floorDiv(maxNow(fixedMax, now), MILLIS_PER_DAY),
            p ->
                "signup_date "
                    + LocalDate.ofEpochDay(p.getSignupDate())
                    + " is outside ["
                    + LocalDate.ofEpochDay(minDay)
                    + ", "
                    + LocalDate.ofEpochDay(Math.floorDiv(maxNow(fixedMax, now), MILLIS_PER_DAY))
                    + "]"));
  }

  public List<Rule<PromoResponse>> responses() {
    return List.of(
        Rule.of(
            RESPONDED_IS_BINARY,
            (PromoResponse r) -> r.getResponded() == 0 || r.getResponded() == 1,
            r -> "responded " + r.getResponded() + " is neither 0 nor 1"),
        eventTimePlausible(PromoResponse::getSentTime));
  }

  /** {@value #EVENT_TIME_PLAUSIBLE} for any record whose event time {@code eventTime} reads. */
  public <T> Rule<T> eventTimePlausible(SerializableFunction<T, Long> eventTime) {
    long min = minMillis;
    long max = maxMillis;
    Clock now = clock;
    return Rule.of(
        EVENT_TIME_PLAUSIBLE,
        record -> {
          long t = eventTime.apply(record);
          return t >= min && t <= maxNow(max, now);
        },
        record ->
            "event time "
                + Instant.ofEpochMilli(eventTime.apply(record))
                + " is outside ["
                + Instant.ofEpochMilli(min)
                + ", "
                + Instant.ofEpochMilli(maxNow(max, now))
                + "]");
  }
}
