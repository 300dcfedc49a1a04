package io.beamml.transforms.features;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureValue;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Fixtures shared by the feature tests. */
final class FeatureTestData {

  static final long MINUTE = 60_000L;
  static final long HOUR = 60 * MINUTE;
  static final long DAY = 24 * HOUR;

  /** 2026-01-10T12:00:00Z. */
  static final long T = Instant.parse("2026-01-10T12:00:00Z").toEpochMilli();

  /** 2026-01-01 as days since the epoch. */
  static final int SIGNUP_2026_01_01 = (int) LocalDate.of(2026, 1, 1).toEpochDay();

  /**
   * Every kind of event feature: several windows (some sharing a length), all aggregations, type
   * and channel filters, both when_empty choices; plus every profile field.
   */
  static final String RICH_SPEC_JSON =
      "{\"name\": \"rich\", \"version\": 1, \"features\": ["
          + "{\"name\": \"views_7d\", \"kind\": \"event\", \"event_types\": [\"view\"],"
          + " \"aggregation\": \"count\", \"window\": \"P7D\"},"
          + "{\"name\": \"orders_1d\", \"kind\": \"event\", \"event_types\": [\"order\"],"
          + " \"aggregation\": \"count\", \"window\": \"P1D\"},"
          + "{\"name\": \"spend_7d\", \"kind\": \"event\", \"event_types\": [\"order\"],"
          + " \"aggregation\": \"sum\", \"field\": \"amount\", \"window\": \"P7D\"},"
          + "{\"name\": \"mean_order_3d\", \"kind\": \"event\", \"event_types\": [\"order\"],"
          + " \"aggregation\": \"mean\", \"field\": \"amount\", \"window\": \"P3D\"},"
          + "{\"name\": \"max_amount_12h\", \"kind\": \"event\", \"aggregation\": \"max\","
          + " \"field\": \"amount\", \"window\": \"PT12H\"},"
          + "{\"name\": \"min_order_7d\", \"kind\": \"event\", \"event_types\": [\"order\"],"
          + " \"aggregation\": \"min\", \"field\": \"amount\", \"window\": \"P7D\","
          + " \"when_empty\": \"zero\"},"
          + "{\"name\": \"web_app_browse_2d\", \"kind\": \"event\","
          + " \"event_types\": [\"view\", \"click\"], \"channels\": [\"web\", \"app\"],"
          + " \"aggregation\": \"count\", \"window\": \"P2D\", \"when_empty\": \"missing\"},"
          + "{\"name\": \"email_amount_1d\", \"kind\": \"event\", \"channels\": [\"email\"],"
          + " \"aggregation\": \"sum\", \"field\": \"amount\", \"window\": \"PT24H\","
          + " \"when_empty\": \"missing\"},"
          + "{\"name\": \"age\", \"kind\": \"profile\", \"field\": \"age\"},"
          + "{\"name\": \"gender\", \"kind\": \"profile\", \"field\": \"gender\","
          + " \"categories\": [\"F\", \"M\", \"X\"]},"
          + "{\"name\": \"country\", \"kind\": \"profile\", \"field\": \"country\","
          + " \"categories\": [\"DE\", \"FR\"]},"
          + "{\"name\": \"signup\", \"kind\": \"profile\", \"field\": \"signup_date\"},"
          + "{\"name\": \"tenure_days\", \"kind\": \"profile\", \"field\": \"tenure_days\"}"
          + "]}";

  private static final String[] TYPES = {"view", "click", "add_to_cart", "order"};
  private static final String[] CHANNELS = {"web", "app", "email", null};

  private FeatureTestData() {}

  static CustomerEvent event(
      String id, String customer, String type, long time, Double amount, String channel) {
    return CustomerEvent.newBuilder()
        .setEventId(id)
        .setCustomerKey(customer)
        .setEventType(type)
        .setEventTime(time)
        .setAmount(amount)
        .setChannel(channel)
        .build();
  }

  static CustomerProfile profile(
      String customer, int age, String gender, String country, int signup) {
    return CustomerProfile.newBuilder()
        .setCustomerKey(customer)
        .setAge(age)
        .setGender(gender)
        .setCountry(country)
        .setSignupDate(signup)
        .build();
  }

  /**
   * Random events on an hour grid (so many land exactly one window apart or at the same time), some
   * nudged by one millisecond either way to sit just inside or outside a window edge. With {@code
   * dyadicAmounts} every amount is a multiple of 0.25, so sums are exact.
   */
  static List<CustomerEvent> randomEvents(
      long seed, int count, int customers, boolean dyadicAmounts) {
    Random rnd = new Random(seed);
    long base = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    List<CustomerEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long time = base + rnd.nextInt(21 * 24) * HOUR;
      if (rnd.nextInt(4) == 0) {
        time += rnd.nextInt(3) - 1;
      }
      String type = TYPES[rnd.nextInt(TYPES.length)];
      String channel = type.equals("order") ? null : CHANNELS[rnd.nextInt(CHANNELS.length)];
      Double amount;
      int a = rnd.nextInt(20);
      if (a == 0) {
        amount = null;
      } else if (a == 1 && !dyadicAmounts) {
        amount = Double.NaN;
      } else if (type.equals("order") || type.equals("click") || a < 6) {
        amount =
            dyadicAmounts ? rnd.nextInt(800) * 0.25 : Math.round(rnd.nextDouble() * 20000) / 100.0;
      } else {
        amount = null;
      }
      events.add(event("e" + i, "c" + rnd.nextInt(customers), type, time, amount, channel));
    }
    return events;
  }

  /** A profile for every customer except every fifth; signup dates around the event range. */
  static List<CustomerProfile> randomProfiles(long seed, int customers) {
    Random rnd = new Random(seed);
    List<CustomerProfile> profiles = new ArrayList<>();
    for (int c = 0; c < customers; c++) {
      if (c % 5 == 4) {
        continue;
      }
      profiles.add(
          profile(
              "c" + c,
              18 + rnd.nextInt(60),
              new String[] {"F", "M", "X"}[rnd.nextInt(3)],
              new String[] {"DE", "FR", "US"}[rnd.nextInt(3)],
              SIGNUP_2026_01_01 - 400 + rnd.nextInt(430)));
    }
    return profiles;
  }

  /** Feature values by name: the number, the text, or null when missing. */
  static Map<String, Object> byName(List<FeatureValue> values) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (FeatureValue v : values) {
      if (v.getNumber() != null && v.getText() != null) {
        throw new AssertionError(v.getName() + " has both a number and a text");
      }
      map.put(v.getName(), v.getNumber() != null ? v.getNumber() : v.getText());
    }
    return map;
  }

  /** A map from alternating names and values; values may be null. */
  static Map<String, Object> expected(Object... namesAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      Object v = namesAndValues[i + 1];
      map.put((String) namesAndValues[i], v instanceof Integer ? ((Integer) v).doubleValue() : v);
    }
    return map;
  }
}
