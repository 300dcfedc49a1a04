package io.beamml.transforms.validate;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.Channel;
import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.ClickType;
import io.beamml.schemas.Order;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.beam.sdk.util.SerializableUtils;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.junit.Test;

public class ContractRulesTest {

  static final Instant MIN = Instant.parse("2020-01-01T00:00:00Z");
  static final Instant MAX = Instant.parse("2026-12-31T23:59:59Z");
  static final Instant T = Instant.parse("2026-01-05T08:00:00Z");

  private final ContractRules rules = ContractRules.defaults().withPlausibleRange(MIN, MAX);

  static ClickEvent click(@Nullable Double price, Instant time) {
    return ClickEvent.newBuilder()
        .setEventId("e1")
        .setCustomerId("c1")
        .setEventType(ClickType.view)
        .setProductId("p1")
        .setPrice(price)
        .setEventTime(time.toEpochMilli())
        .setSessionId("s1")
        .setChannel(Channel.web)
        .build();
  }

  static Order order(int quantity, double amount, Instant time) {
    return Order.newBuilder()
        .setOrderId("o1")
        .setCustomerId("c1")
        .setProductId("p1")
        .setQuantity(quantity)
        .setAmount(amount)
        .setCurrency("EUR")
        .setOrderTime(time.toEpochMilli())
        .build();
  }

  static Profile profile(int age, LocalDate signup) {
    return Profile.newBuilder()
        .setCustomerId("c1")
        .setAge(age)
        .setGender("f")
        .setCountry("DE")
        .setSignupDate((int) signup.toEpochDay())
        .build();
  }

  static PromoResponse response(int responded, Instant sent) {
    return PromoResponse.newBuilder()
        .setPromoId("pr1")
        .setCustomerId("c1")
        .setSentTime(sent.toEpochMilli())
        .setResponded(responded)
        .build();
  }

  /** The name of the first rule the record fails, or null when it passes them all. */
  static <T> @Nullable String firstFailure(List<Rule<T>> rules, T record) {
    for (Rule<T> rule : rules) {
      if (!rule.passes(record)) {
        return rule.name();
      }
    }
    return null;
  }

  @Test
  public void clicks() {
    assertEquals(null, firstFailure(rules.clicks(), click(12.5, T)));
    assertEquals(null, firstFailure(rules.clicks(), click(null, T)));
    assertEquals(null, firstFailure(rules.clicks(), click(0.0, MIN)));
    assertEquals(null, firstFailure(rules.clicks(), click(0.0, MAX)));
    assertEquals("price_not_negative", firstFailure(rules.clicks(), click(-0.01, T)));
    assertEquals(
        "event_time_plausible", firstFailure(rules.clicks(), click(1.0, MIN.minusMillis(1))));
    assertEquals(
        "event_time_plausible", firstFailure(rules.clicks(), click(1.0, MAX.plusMillis(1))));
    assertEquals(
        "the first failing rule wins",
        "price_not_negative",
        firstFailure(rules.clicks(), click(-1.0, MAX.plusMillis(1))));
  }

  @Test
  public void orders() {
    assertEquals(null, firstFailure(rules.orders(), order(1, 0.0, T)));
    assertEquals("amount_not_negative", firstFailure(rules.orders(), order(1, -5.0, T)));
    assertEquals("quantity_positive", firstFailure(rules.orders(), order(0, 5.0, T)));
    assertEquals("quantity_positive", firstFailure(rules.orders(), order(-2, 5.0, T)));
    assertEquals(
        "event_time_plausible",
        firstFailure(rules.orders(), order(1, 5.0, Instant.parse("1999-12-31T23:59:59Z"))));
  }

  @Test
  public void profiles() {
    LocalDate signup = LocalDate.of(2024, 3, 1);
    assertEquals(null, firstFailure(rules.profiles(), profile(0, signup)));
    assertEquals(null, firstFailure(rules.profiles(), profile(120, signup)));
    assertEquals("age_in_range", firstFailure(rules.profiles(), profile(121, signup)));
    assertEquals("age_in_range", firstFailure(rules.profiles(), profile(-1, signup)));
    assertEquals(null, firstFailure(rules.profiles(), profile(30, LocalDate.of(2020, 1, 1))));
    assertEquals(null, firstFailure(rules.profiles(), profile(30, LocalDate.of(2026, 12, 31))));
    assertEquals(
        "signup_date_plausible",
        firstFailure(rules.profiles(), profile(30, LocalDate.of(2019, 12, 31))));
    assertEquals(
        "signup_date_plausible",
        firstFailure(rules.profiles(), profile(30, LocalDate.of(2027, 1, 1))));
  }

  @Test
  public void responses() {
    assertEquals(null, firstFailure(rules.responses(), response(0, T)));
    assertEquals(null, firstFailure(rules.responses(), response(1, T)));
    assertEquals("responded_is_binary", firstFailure(rules.responses(), response(2, T)));
    assertEquals("responded_is_binary", firstFailure(rules.responses(), response(-1, T)));
    assertEquals(
        "event_time_plausible",
        firstFailure(rules.responses(), response(1, MAX.plus(Duration.ofDays(1)))));
  }

  @Test
  public void messagesNameTheValue() {
    Rule<ClickEvent> price = rules.clicks().get(0);
    assertEquals("price -2.0 is negative", price.message(click(-2.0, T)));
    Rule<ClickEvent> time = rules.clicks().get(1);
    assertEquals(
        "event time 2027-01-01T00:00:00Z is outside [2020-01-01T00:00:00Z, 2026-12-31T23:59:59Z]",
        time.message(click(1.0, Instant.parse("2027-01-01T00:00:00Z"))));
  }

  @Test
  public void defaultRangeEndsADayAfterTheCheck() {
    Instant now = Instant.parse("2026-12-04T12:00:00Z");
    ContractRules defaults = ContractRules.defaults().withClock(Clock.fixed(now, ZoneOffset.UTC));
    assertEquals(Instant.parse("2000-01-01T00:00:00Z"), defaults.plausibleMin());
    assertEquals(now.plus(Duration.ofDays(1)), defaults.plausibleMax());
    List<Rule<ClickEvent>> clickRules = defaults.clicks();
    assertEquals(null, firstFailure(clickRules, click(1.0, now.plus(Duration.ofDays(1)))));
    assertEquals(
        "event_time_plausible",
        firstFailure(clickRules, click(1.0, now.plus(Duration.ofDays(1)).plusMillis(1))));
  }

  @Test
  public void rulesSurviveSerialization() {
    List<Rule<Order>> orderRules = rules.orders();
    Rule<Order> quantity = SerializableUtils.clone(orderRules.get(1));
    Rule<Order> time = SerializableUtils.clone(orderRules.get(2));
    assertEquals("quantity_positive", quantity.name());
    assertFalse(quantity.passes(order(0, 1.0, T)));
    assertTrue(time.passes(order(1, 1.0, T)));
    assertFalse(time.passes(order(1, 1.0, MAX.plusSeconds(1))));
  }

  @Test(expected = IllegalArgumentException.class)
  public void rejectsAnInvertedRange() {
    ContractRules.defaults().withPlausibleRange(MAX, MIN);
  }

  @Test
  public void theDefaultUpperBoundFollowsTheClockSoLongStreamsKeepAcceptingToday() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-04T00:00:00Z"));
    ContractRules rules = ContractRules.defaults().withClock(clock);
    Rule<Long> rule = rules.eventTimePlausible(t -> t);
    long nextWeek = Instant.parse("2026-12-11T00:00:00Z").toEpochMilli();
    assertFalse(rule.passes(nextWeek));
    clock.now = Instant.parse("2026-12-10T12:00:00Z");
    assertTrue("the bound is taken at the check, not at construction", rule.passes(nextWeek));
    assertEquals(Instant.parse("2026-12-11T12:00:00Z"), rules.plausibleMax());
    // The system clock by default, and the rules still serialise with it.
    Rule<Long> byDefault =
        SerializableUtils.clone(ContractRules.defaults()).eventTimePlausible(t -> t);
    assertTrue(byDefault.passes(Instant.now().plus(Duration.ofHours(23)).toEpochMilli()));
    assertFalse(byDefault.passes(Instant.now().plus(Duration.ofDays(2)).toEpochMilli()));
  }

  /** A clock a test moves by hand. */
  private static final class MovableClock extends Clock implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
