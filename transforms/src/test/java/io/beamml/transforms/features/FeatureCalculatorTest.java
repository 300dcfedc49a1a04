package io.beamml.transforms.features;

import static io.beamml.transforms.features.FeatureTestData.DAY;
import static io.beamml.transforms.features.FeatureTestData.HOUR;
import static io.beamml.transforms.features.FeatureTestData.MINUTE;
import static io.beamml.transforms.features.FeatureTestData.SIGNUP_2026_01_01;
import static io.beamml.transforms.features.FeatureTestData.T;
import static io.beamml.transforms.features.FeatureTestData.byName;
import static io.beamml.transforms.features.FeatureTestData.event;
import static io.beamml.transforms.features.FeatureTestData.expected;
import static io.beamml.transforms.features.FeatureTestData.profile;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class FeatureCalculatorTest {

  private static final FeatureSpec DEFAULT = FeatureSpec.defaultSpec();
  private static final FeatureCalculator CALC = FeatureCalculator.of(DEFAULT);
  private static final CustomerProfile ALICE = profile("c1", 30, "F", "DE", SIGNUP_2026_01_01);

  /** The default spec's columns, in spec order. */
  private static Map<String, Object> defaultRow(
      int views,
      int clicks,
      int carts,
      int orders,
      double spend,
      int orders1d,
      int clicks1d,
      Integer age,
      String gender,
      String country,
      Integer tenure) {
    return expected(
        "views_7d",
        views,
        "clicks_7d",
        clicks,
        "carts_7d",
        carts,
        "orders_7d",
        orders,
        "spend_7d",
        spend,
        "orders_1d",
        orders1d,
        "clicks_1d",
        clicks1d,
        "age",
        age,
        "gender",
        gender,
        "country",
        country,
        "tenure_days",
        tenure);
  }

  /** Events around the edges of the 7-day and 1-day windows of the row at T. */
  private static List<CustomerEvent> edgeEvents() {
    return List.of(
        event("a", "c1", "view", T - 7 * DAY, null, "web"),
        event("b", "c1", "view", T - 7 * DAY + 1, null, "web"),
        event("c", "c1", "order", T - DAY, 5.0, null),
        event("d", "c1", "order", T - DAY + 1, 7.0, null),
        event("g", "c1", "click", T - DAY + 1, 1.5, "app"),
        event("e", "c1", "order", T, 10.0, null),
        event("f", "c1", "click", T, null, "web"));
  }

  private static Map<String, Map<String, Object>> byEventId(List<FeatureRow> rows) {
    Map<String, Map<String, Object>> map = new LinkedHashMap<>();
    for (FeatureRow r : rows) {
      map.put(r.getEventId(), byName(r.getFeatures()));
    }
    return map;
  }

  private static List<String> ids(List<FeatureRow> rows) {
    List<String> ids = new ArrayList<>();
    for (FeatureRow r : rows) {
      ids.add(r.getEventId());
    }
    return ids;
  }

  @Test
  public void windowEdgesAreExclusiveAtStartAndInclusiveAtEnd() {
    List<FeatureRow> rows = CALC.rowsForEachEvent("c1", edgeEvents(), ALICE);
    Map<String, Map<String, Object>> got = byEventId(rows);

    // At T-7d itself only "a" is in its own window.
    assertEquals(defaultRow(1, 0, 0, 0, 0, 0, 0, 30, "F", "DE", 2), got.get("a"));
    // One millisecond later "a" still counts.
    assertEquals(defaultRow(2, 0, 0, 0, 0, 0, 0, 30, "F", "DE", 2), got.get("b"));
    assertEquals(defaultRow(2, 0, 0, 1, 5, 1, 0, 30, "F", "DE", 8), got.get("c"));
    // "d" and "g" share a timestamp: each counts in the other's row.
    Map<String, Object> atTMinusDayPlusOne = defaultRow(2, 1, 0, 2, 12, 2, 1, 30, "F", "DE", 8);
    assertEquals(atTMinusDayPlusOne, got.get("d"));
    assertEquals(atTMinusDayPlusOne, got.get("g"));
    // At T: "a" (exactly 7 days earlier) is out, "b" in; "c" (exactly 1 day earlier) is out of
    // the 1-day window but in the 7-day one; "e" and "f" count in each other's rows.
    Map<String, Object> atT = defaultRow(1, 2, 0, 3, 22, 2, 2, 30, "F", "DE", 9);
    assertEquals(atT, got.get("e"));
    assertEquals(atT, got.get("f"));
    assertEquals(atT, byName(CALC.asOf(FeatureCalculator.sortedByTime(edgeEvents()), ALICE, T)));
  }

  @Test
  public void rowsCarryTheEventAndTheSpecFingerprint() {
    List<FeatureRow> rows = CALC.rowsForEachEvent("c1", edgeEvents(), ALICE);
    assertEquals(7, rows.size());
    FeatureRow first = rows.get(0);
    assertEquals("a", first.getEventId());
    assertEquals("c1", first.getCustomerKey());
    assertEquals(T - 7 * DAY, first.getEventTime());
    assertEquals("view", first.getEventType());
    for (FeatureRow r : rows) {
      assertEquals(DEFAULT.fingerprint(), r.getSpecFingerprint());
      assertEquals(DEFAULT.featureNames(), new ArrayList<>(byName(r.getFeatures()).keySet()));
    }
  }

  @Test
  public void inputOrderDoesNotMatterAndRowsAreOrderedByTimeThenEventId() {
    List<FeatureRow> reference = CALC.rowsForEachEvent("c1", edgeEvents(), ALICE);
    assertEquals(List.of("a", "b", "c", "d", "g", "e", "f"), ids(reference));
    Random rnd = new Random(7);
    for (int i = 0; i < 20; i++) {
      List<CustomerEvent> shuffled = new ArrayList<>(edgeEvents());
      Collections.shuffle(shuffled, rnd);
      assertEquals(reference, CALC.rowsForEachEvent("c1", shuffled, ALICE));
    }
  }

  @Test
  public void sortedByTimeOrdersByTimeThenIdAndLeavesTheInputAlone() {
    List<CustomerEvent> input =
        new ArrayList<>(
            List.of(
                event("z", "c1", "view", 5, null, null),
                event("b", "c1", "view", 3, null, null),
                event("a", "c1", "view", 5, null, null)));
    List<CustomerEvent> copy = new ArrayList<>(input);
    List<CustomerEvent> sorted = FeatureCalculator.sortedByTime(input);
    assertEquals(
        List.of("b", "a", "z"),
        List.of(
            sorted.get(0).getEventId(), sorted.get(1).getEventId(), sorted.get(2).getEventId()));
    assertEquals(copy, input);
  }

  @Test
  public void customerWithoutProfileHasEveryProfileFeatureMissing() {
    List<FeatureRow> rows = CALC.rowsForEachEvent("c1", edgeEvents(), null);
    for (FeatureRow r : rows) {
      for (FeatureValue v : r.getFeatures()) {
        if (List.of("age", "gender", "country", "tenure_days").contains(v.getName())) {
          assertNull(v.getName(), v.getNumber());
          assertNull(v.getName(), v.getText());
        }
      }
    }
    assertEquals(
        defaultRow(1, 2, 0, 3, 22, 2, 2, null, null, null, null), byEventId(rows).get("f"));
  }

  @Test
  public void profileWithoutEventsGivesNoRows() {
    assertTrue(CALC.rowsForEachEvent("c1", List.of(), ALICE).isEmpty());
  }

  @Test
  public void tenureCountsWholeUtcDaysAndIsMissingBeforeSignup() {
    assertEquals(9.0, tenureAsOf("2026-01-10T23:59:59Z"), 0);
    assertEquals(10.0, tenureAsOf("2026-01-11T00:00:00Z"), 0);
    assertEquals(0.0, tenureAsOf("2026-01-01T00:00:00Z"), 0);
    // A signup after the event: not a negative tenure, an unknown one; the other features stay.
    Map<String, Object> beforeSignup =
        byName(
            CALC.asOf(List.of(), ALICE, Instant.parse("2025-12-31T23:59:59.999Z").toEpochMilli()));
    assertTrue(beforeSignup.containsKey("tenure_days"));
    assertNull(beforeSignup.get("tenure_days"));
    assertEquals(30.0, beforeSignup.get("age"));
    // Before the epoch the UTC date still rounds down, not toward zero: 1969-12-31 is before day 0.
    CustomerProfile epochSignup = profile("c1", 30, "F", "DE", 0);
    long lateOnNewYearsEve1969 = Instant.parse("1969-12-31T23:00:00Z").toEpochMilli();
    assertNull(byName(CALC.asOf(List.of(), epochSignup, lateOnNewYearsEve1969)).get("tenure_days"));
    assertEquals(0.0, byName(CALC.asOf(List.of(), epochSignup, 0L)).get("tenure_days"));
  }

  private static Double tenureAsOf(String instant) {
    long t = Instant.parse(instant).toEpochMilli();
    return (Double) byName(CALC.asOf(List.of(), ALICE, t)).get("tenure_days");
  }

  @Test
  public void spendSumsOrderAmountsAndSkipsNullOrNonFiniteAmounts() {
    List<CustomerEvent> events =
        List.of(
            event("o1", "c1", "order", T - 8 * DAY, 1000.0, null),
            event("o2", "c1", "order", T - 3 * DAY, 10.5, null),
            event("o3", "c1", "order", T - 2 * DAY, 20.25, null),
            event("o4", "c1", "order", T - DAY, null, null),
            event("o5", "c1", "order", T - HOUR, Double.NaN, null),
            event("o6", "c1", "order", T, Double.POSITIVE_INFINITY, null));
    Map<String, Object> atT = byName(CALC.asOf(events, ALICE, T));
    // o2..o6 are orders in the week; only o2 and o3 have a usable amount.
    assertEquals(5.0, atT.get("orders_7d"));
    assertEquals(30.75, atT.get("spend_7d"));
    // o4 sits exactly one day before T: out of the 1-day window.
    assertEquals(2.0, atT.get("orders_1d"));
    // The sliding computation agrees, including after the NaN and the infinity arrive.
    Map<String, Map<String, Object>> rows = byEventId(CALC.rowsForEachEvent("c1", events, ALICE));
    assertEquals(1000.0, rows.get("o1").get("spend_7d"));
    assertEquals(1010.5, rows.get("o2").get("spend_7d"));
    assertEquals(1030.75, rows.get("o3").get("spend_7d"));
    // o1 is exactly 7 days before o4: it has left the window.
    assertEquals(30.75, rows.get("o4").get("spend_7d"));
    assertEquals(30.75, rows.get("o5").get("spend_7d"));
    assertEquals(30.75, rows.get("o6").get("spend_7d"));
  }

  @Test
  public void aCustomSpecDefinesTheFeatures() {
    FeatureSpec spec =
        FeatureSpec.fromJson(
            "{\"name\": \"custom\", \"version\": 3, \"features\": ["
                + "{\"name\": \"web_click_price_mean_7d\", \"kind\": \"event\","
                + " \"event_types\": [\"click\"], \"channels\": [\"web\"], \"aggregation\": \"mean\","
                + " \"field\": \"amount\", \"window\": \"P7D\", \"when_empty\": \"missing\"},"
                + "{\"name\": \"order_max_3d\", \"kind\": \"event\", \"event_types\": [\"order\"],"
                + " \"aggregation\": \"max\", \"field\": \"amount\", \"window\": \"P3D\","
                + " \"when_empty\": \"missing\"},"
                + "{\"name\": \"any_min_12h\", \"kind\": \"event\", \"aggregation\": \"min\","
                + " \"field\": \"amount\", \"window\": \"PT12H\"},"
                + "{\"name\": \"app_count_1h\", \"kind\": \"event\", \"channels\": [\"app\"],"
                + " \"aggregation\": \"count\", \"window\": \"PT1H\", \"when_empty\": \"missing\"},"
                + "{\"name\": \"country\", \"kind\": \"profile\", \"field\": \"country\","
                + " \"categories\": [\"DE\", \"FR\"]},"
                + "{\"name\": \"signup\", \"kind\": \"profile\", \"field\": \"signup_date\"}"
                + "]}");
    FeatureCalculator calc = FeatureCalculator.of(spec);
    List<CustomerEvent> events =
        List.of(
            event("1", "c1", "click", T - 2 * DAY, 4.0, "web"),
            event("2", "c1", "click", T - HOUR, 8.0, "web"),
            event("3", "c1", "click", T - 30 * MINUTE, 100.0, "app"),
            event("4", "c1", "click", T - 10 * MINUTE, null, "web"),
            event("5", "c1", "order", T - 4 * DAY, 50.0, null),
            event("6", "c1", "order", T - 3 * DAY, 30.0, null),
            event("7", "c1", "order", T - 2 * DAY + 1, 20.0, null),
            event("8", "c1", "view", T, null, null));
    List<CustomerEvent> sorted = FeatureCalculator.sortedByTime(events);

    assertEquals(
        expected(
            "web_click_price_mean_7d",
            6.0, // (4 + 8) / 2; the null price does not count
            "order_max_3d",
            20.0, // order 6 sits exactly 3 days before T: out
            "any_min_12h",
            8.0,
            "app_count_1h",
            1,
            "country",
            "DE",
            "signup",
            SIGNUP_2026_01_01),
        byName(calc.asOf(sorted, ALICE, T)));
    assertEquals(
        expected(
            "web_click_price_mean_7d",
            null,
            "order_max_3d",
            50.0,
            "any_min_12h",
            30.0,
            "app_count_1h",
            null,
            "country",
            "DE",
            "signup",
            SIGNUP_2026_01_01),
        byName(calc.asOf(sorted, ALICE, T - 3 * DAY)));
    // Before any event every aggregate is empty, and these are all "missing" when empty.
    assertEquals(
        expected(
            "web_click_price_mean_7d", null,
            "order_max_3d", null,
            "any_min_12h", null,
            "app_count_1h", null,
            "country", "DE",
            "signup", SIGNUP_2026_01_01),
        byName(calc.asOf(sorted, ALICE, T - 5 * DAY)));

    // Each event's row is the features as of its own time.
    for (FeatureRow row : calc.rowsForEachEvent("c1", events, ALICE)) {
      assertEquals(spec.fingerprint(), row.getSpecFingerprint());
      assertEquals(row.getFeatures(), calc.asOf(sorted, ALICE, row.getEventTime()));
    }
  }

  @Test
  public void asOfIgnoresLaterEventsAndRejectsUnsortedInput() {
    List<CustomerEvent> sorted = FeatureCalculator.sortedByTime(edgeEvents());
    Map<String, Object> beforeAll = byName(CALC.asOf(sorted, ALICE, T - 8 * DAY));
    assertEquals(defaultRow(0, 0, 0, 0, 0, 0, 0, 30, "F", "DE", 1), beforeAll);

    List<CustomerEvent> reversed = new ArrayList<>(sorted);
    Collections.reverse(reversed);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CALC.asOf(reversed, ALICE, T));
    assertThat(e.getMessage(), containsString("sorted by event time"));
  }

  @Test
  public void incrementalRangesGiveTheSameRowsAsOnePass() {
    FeatureCalculator calc =
        FeatureCalculator.of(FeatureSpec.fromJson(FeatureTestData.RICH_SPEC_JSON));
    List<CustomerEvent> sorted =
        FeatureCalculator.sortedByTime(FeatureTestData.randomEvents(11, 400, 1, false));
    List<FeatureRow> whole = calc.rowsForEachEvent("c0", sorted, ALICE);

    // Three chunks, cut only between distinct timestamps, as a watermark would cut them.
    int cut1 = firstIndexAfterTimeOf(sorted, 120);
    int cut2 = firstIndexAfterTimeOf(sorted, 260);
    List<FeatureRow> chunked = new ArrayList<>();
    chunked.addAll(calc.rowsForSortedEvents("c0", sorted, 0, cut1, ALICE));
    chunked.addAll(calc.rowsForSortedEvents("c0", sorted, cut1, cut2, ALICE));
    // A streaming buffer may drop events more than the longest window before its pending ones.
    long keepFrom = sorted.get(cut2).getEventTime() - calc.maxWindowMillis();
    int drop = 0;
    while (sorted.get(drop).getEventTime() <= keepFrom) {
      drop++;
    }
    List<CustomerEvent> pruned = sorted.subList(drop, sorted.size());
    chunked.addAll(calc.rowsForSortedEvents("c0", pruned, cut2 - drop, pruned.size(), ALICE));

    assertEquals(whole.size(), chunked.size());
    for (int i = 0; i < whole.size(); i++) {
      assertRowClose(whole.get(i), chunked.get(i));
    }
    assertEquals(7 * DAY, calc.maxWindowMillis());
  }

  private static int firstIndexAfterTimeOf(List<CustomerEvent> sorted, int index) {
    long t = sorted.get(index).getEventTime();
    int i = index;
    while (sorted.get(i).getEventTime() == t) {
      i++;
    }
    return i;
  }

  @Test
  public void matchesTheBruteForceOracleOnRandomCustomers() {
    FeatureSpec spec = FeatureSpec.fromJson(FeatureTestData.RICH_SPEC_JSON);
    FeatureCalculator calc = FeatureCalculator.of(spec);
    List<CustomerEvent> events = FeatureTestData.randomEvents(42, 3000, 30, false);
    Map<String, CustomerProfile> profiles = new HashMap<>();
    for (CustomerProfile p : FeatureTestData.randomProfiles(43, 30)) {
      profiles.put(p.getCustomerKey(), p);
    }
    Map<String, List<CustomerEvent>> byCustomer = new LinkedHashMap<>();
    for (CustomerEvent e : events) {
      byCustomer.computeIfAbsent(e.getCustomerKey(), k -> new ArrayList<>()).add(e);
    }
    Random rnd = new Random(44);
    int rows = 0;
    for (Map.Entry<String, List<CustomerEvent>> customer : byCustomer.entrySet()) {
      CustomerProfile profile = profiles.get(customer.getKey());
      Map<String, FeatureRow> expected = new HashMap<>();
      for (FeatureRow r :
          BruteForceFeatures.rows(spec, customer.getKey(), customer.getValue(), profile)) {
        expected.put(r.getEventId(), r);
      }
      List<FeatureRow> actual =
          calc.rowsForEachEvent(customer.getKey(), customer.getValue(), profile);
      assertEquals(expected.size(), actual.size());
      for (FeatureRow r : actual) {
        assertRowClose(expected.get(r.getEventId()), r);
      }
      rows += actual.size();

      List<CustomerEvent> sorted = FeatureCalculator.sortedByTime(customer.getValue());
      for (int i = 0; i < 20; i++) {
        long t =
            sorted.get(rnd.nextInt(sorted.size())).getEventTime() + rnd.nextInt(3) * HOUR - HOUR;
        assertValuesClose(
            BruteForceFeatures.asOf(spec, customer.getValue(), profile, t),
            calc.asOf(sorted, profile, t));
      }
    }
    assertEquals(3000, rows);
  }

  @Test(timeout = 20_000)
  public void oneLargeCustomerIsLinearAfterSorting() {
    FeatureSpec spec = FeatureSpec.fromJson(FeatureTestData.RICH_SPEC_JSON);
    FeatureCalculator calc = FeatureCalculator.of(spec);
    // 200k events of one customer over three weeks: about 65k in each 7-day window, so a
    // quadratic scan would take minutes.
    List<CustomerEvent> events = new ArrayList<>();
    Random rnd = new Random(5);
    String[] types = {"view", "click", "add_to_cart", "order"};
    for (int i = 0; i < 200_000; i++) {
      events.add(
          event(
              "e" + i,
              "big",
              types[rnd.nextInt(4)],
              T - rnd.nextInt(21 * 24 * 60) * MINUTE,
              rnd.nextInt(4000) * 0.25,
              rnd.nextBoolean() ? "web" : "app"));
    }
    List<FeatureRow> rows = calc.rowsForEachEvent("big", events, ALICE);
    assertEquals(events.size(), rows.size());
    for (int i = 0; i < 30; i++) {
      FeatureRow r = rows.get(rnd.nextInt(rows.size()));
      assertValuesClose(
          BruteForceFeatures.asOf(spec, events, ALICE, r.getEventTime()), r.getFeatures());
    }
  }

  @Test
  public void chooseProfilePrefersTheLatestSignupThenTheSmallestRecord() {
    CustomerProfile older = profile("c1", 30, "F", "DE", 100);
    CustomerProfile newerB = profile("c1", 41, "M", "FR", 200);
    CustomerProfile newerA = profile("c1", 40, "M", "FR", 200);
    assertSame(newerA, FeatureCalculator.chooseProfile(List.of(older, newerB, newerA)));
    assertSame(newerA, FeatureCalculator.chooseProfile(List.of(newerA, older, newerB)));
    assertSame(older, FeatureCalculator.chooseProfile(List.of(older)));
    assertNull(FeatureCalculator.chooseProfile(List.of()));
  }

  @Test
  public void withProfileGivesTheRowComputedWithTheProfileInHand() {
    FeatureCalculator calc =
        FeatureCalculator.of(FeatureSpec.fromJson(FeatureTestData.RICH_SPEC_JSON));
    List<CustomerEvent> events = FeatureTestData.randomEvents(5, 60, 1, true);
    List<FeatureRow> withProfile = calc.rowsForEachEvent("c0", events, ALICE);
    List<FeatureRow> withoutProfile = calc.rowsForEachEvent("c0", events, null);
    for (int i = 0; i < withProfile.size(); i++) {
      assertEquals(withProfile.get(i), calc.withProfile(withoutProfile.get(i), ALICE));
      assertEquals(withoutProfile.get(i), calc.withProfile(withProfile.get(i), null));
    }
  }

  @Test
  public void withProfileRejectsRowsOfAnotherSpec() {
    FeatureCalculator rich =
        FeatureCalculator.of(FeatureSpec.fromJson(FeatureTestData.RICH_SPEC_JSON));
    FeatureRow row = CALC.rowsForEachEvent("c1", edgeEvents(), null).get(0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> rich.withProfile(row, ALICE));
    assertThat(e.getMessage(), containsString("computed under spec"));
  }

  @Test
  public void survivesJavaSerialization() {
    FeatureCalculator copy = SerializableUtils.clone(CALC);
    assertEquals(
        CALC.rowsForEachEvent("c1", edgeEvents(), ALICE),
        copy.rowsForEachEvent("c1", edgeEvents(), ALICE));
  }

  static void assertRowClose(FeatureRow expected, FeatureRow actual) {
    assertEquals(expected.getEventId(), actual.getEventId());
    assertEquals(expected.getCustomerKey(), actual.getCustomerKey());
    assertEquals(expected.getEventTime(), actual.getEventTime());
    assertEquals(expected.getEventType(), actual.getEventType());
    assertEquals(expected.getSpecFingerprint(), actual.getSpecFingerprint());
    assertValuesClose(expected.getFeatures(), actual.getFeatures());
  }

  static void assertValuesClose(List<FeatureValue> expected, List<FeatureValue> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      FeatureValue e = expected.get(i);
      FeatureValue a = actual.get(i);
      assertEquals(e.getName(), a.getName());
      assertEquals(e.getName(), e.getText(), a.getText());
      if (e.getNumber() == null || a.getNumber() == null) {
        assertEquals(e.getName(), e.getNumber(), a.getNumber());
      } else {
        double tolerance = 1e-9 * Math.max(1, Math.abs(e.getNumber()));
        assertEquals(e.getName(), e.getNumber(), a.getNumber(), tolerance);
      }
    }
  }
}
