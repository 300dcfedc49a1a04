package io.beamml.training.pointintime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.TrainingExample;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.grouping.CustomerInputs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

/**
 * Point-in-time correctness: every example must equal what a brute-force scan of the raw events
 * gives as of the send time. The oracle below knows the default spec's features by name and shares
 * no code with {@code FeatureCalculator}.
 */
public class PointInTimeTrainingSetTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;
  private static final long T = Instant.parse("2026-01-10T12:00:00Z").toEpochMilli();
  private static final long T2 = T + DAY;
  private static final FeatureSpec SPEC = FeatureSpec.defaultSpec();

  private static final String A = "key-a"; // events and profile, two promotions
  private static final String B = "key-b"; // profile, no events
  private static final String C = "key-c"; // events, no profile
  private static final String D = "key-d"; // neither
  private static final String E = "key-e"; // events and profile, no promotion

  private static CustomerEvent event(String id, String key, String type, long time, Double amount) {
    return CustomerEvent.newBuilder()
        .setEventId(id)
        .setCustomerKey(key)
        .setEventType(type)
        .setEventTime(time)
        .setAmount(amount)
        .setChannel(type.equals("order") ? null : "web")
        .build();
  }

  private static List<CustomerEvent> events() {
    List<CustomerEvent> events =
        new ArrayList<>(
            List.of(
                event("a-click-at-t", A, "click", T, null),
                event("a-click-after-t", A, "click", T + 1, null),
                event("a-click-7d-before", A, "click", T - 7 * DAY, null),
                event("a-click-just-inside-7d", A, "click", T - 7 * DAY + 1, null),
                event("a-view-3d", A, "view", T - 3 * DAY, null),
                event("a-view-1ms", A, "view", T - 1, null),
                event("a-order-1d-before", A, "order", T - DAY, 10.0),
                event("a-order-just-inside-1d", A, "order", T - DAY + 1, 2.5),
                event("a-order-after-t", A, "order", T + 1000, 100.0),
                event("a-cart-2h", A, "add_to_cart", T - 2 * HOUR, null),
                event("a-order-10d", A, "order", T - 10 * DAY, 7.0),
                event("c-click-1h", C, "click", T - HOUR, 4.0),
                event("c-order-after", C, "order", T + HOUR, 50.0),
                event("e-click", E, "click", T - HOUR, null),
                event("e-order", E, "order", T - HOUR, 9.0)));
    // Out of order, as a shuffle would deliver them.
    Collections.shuffle(events, new Random(42));
    return events;
  }

  private static List<CustomerProfile> profiles() {
    return List.of(
        new CustomerProfile(A, 30, "F", "DE", 19_000),
        new CustomerProfile(B, 55, "M", "GB", 20_000),
        new CustomerProfile(E, 41, "X", "US", 20_100));
  }

  private static List<LabelledPromo> promos() {
    return List.of(
        new LabelledPromo("p-a1", A, T, 1),
        new LabelledPromo("p-a2", A, T2, 0),
        new LabelledPromo("p-b", B, T, 0),
        new LabelledPromo("p-c", C, T, 1),
        new LabelledPromo("p-d", D, T, 0));
  }

  private PCollection<TrainingExample> build(
      List<CustomerEvent> events,
      List<CustomerProfile> profiles,
      List<LabelledPromo> promos,
      PointInTimeTrainingSet transform) {
    PCollection<CustomerEvent> e =
        pipeline.apply(
            "Events", Create.of(events).withCoder(AvroCoder.specific(CustomerEvent.class)));
    PCollection<CustomerProfile> p =
        pipeline.apply(
            "Profiles", Create.of(profiles).withCoder(AvroCoder.specific(CustomerProfile.class)));
    PCollection<LabelledPromo> l =
        pipeline.apply(
            "Promos", Create.of(promos).withCoder(AvroCoder.specific(LabelledPromo.class)));
    return CustomerInputs.of(e, p).withPromos(l).apply("BuildTrainingSet", transform);
  }

  @Test
  public void everyExampleMatchesABruteForceScanAsOfItsSendTime() {
    List<CustomerEvent> events = events();
    PCollection<TrainingExample> examples =
        build(events, profiles(), promos(), PointInTimeTrainingSet.of(SPEC));

    PAssert.that(examples)
        .satisfies(
            actual -> {
              Map<String, TrainingExample> byPromo = new TreeMap<>();
              for (TrainingExample x : actual) {
                assertNull(
                    "one example per promotion: " + x.getPromoId(), byPromo.put(x.getPromoId(), x));
              }
              assertEquals(
                  List.of("p-a1", "p-a2", "p-b", "p-c", "p-d"), new ArrayList<>(byPromo.keySet()));
              for (LabelledPromo promo : promos()) {
                TrainingExample x = byPromo.get(promo.getPromoId());
                assertEquals(promo.getCustomerKey(), x.getCustomerKey());
                assertEquals(promo.getSentTime(), x.getSentTime());
                assertEquals(promo.getResponded(), x.getLabel());
                assertEquals(SPEC.fingerprint(), x.getSpecFingerprint());
                assertEquals(
                    promo.getPromoId(), oracle(events, profiles(), promo), x.getFeatures());
              }
              return null;
            });
    pipeline.run();
  }

  /** The boundary cases spelled out, so the oracle itself is checked against hand counts. */
  @Test
  public void windowsIncludeTheSendTimeAndExcludeTheirStartAndTheFuture() {
    List<CustomerEvent> events = events();
    PCollection<TrainingExample> examples =
        build(events, profiles(), promos(), PointInTimeTrainingSet.of(SPEC));

    PAssert.that(examples)
        .satisfies(
            actual -> {
              Map<String, Map<String, FeatureValue>> byPromo = new TreeMap<>();
              for (TrainingExample x : actual) {
                Map<String, FeatureValue> f = new TreeMap<>();
                x.getFeatures().forEach(v -> f.put(v.getName(), v));
                byPromo.put(x.getPromoId(), f);
              }
              Map<String, FeatureValue> a1 = byPromo.get("p-a1");
              // At T: the click at T counts, the one 1 ms later and the one exactly 7 days before
              // do not.
              assertEquals(2.0, a1.get("clicks_7d").getNumber(), 0);
              assertEquals(1.0, a1.get("clicks_1d").getNumber(), 0);
              assertEquals(2.0, a1.get("views_7d").getNumber(), 0);
              assertEquals(1.0, a1.get("carts_7d").getNumber(), 0);
              assertEquals(2.0, a1.get("orders_7d").getNumber(), 0);
              assertEquals(1.0, a1.get("orders_1d").getNumber(), 0);
              assertEquals(12.5, a1.get("spend_7d").getNumber(), 0);
              assertEquals(30.0, a1.get("age").getNumber(), 0);
              assertEquals("F", a1.get("gender").getText());
              assertEquals(
                  (double) (Math.floorDiv(T, DAY) - 19_000), a1.get("tenure_days").getNumber(), 0);

              Map<String, FeatureValue> a2 = byPromo.get("p-a2");
              // A day later the click at T is exactly one day old: out of clicks_1d; the order
              // after T is in.
              assertEquals(2.0, a2.get("clicks_7d").getNumber(), 0);
              assertEquals(1.0, a2.get("clicks_1d").getNumber(), 0);
              assertEquals(3.0, a2.get("orders_7d").getNumber(), 0);
              assertEquals(112.5, a2.get("spend_7d").getNumber(), 0);

              Map<String, FeatureValue> b = byPromo.get("p-b");
              // No events: counts and sums are 0 (when_empty), the profile is there.
              for (String count :
                  List.of(
                      "views_7d",
                      "clicks_7d",
                      "carts_7d",
                      "orders_7d",
                      "spend_7d",
                      "orders_1d",
                      "clicks_1d")) {
                assertEquals(count, 0.0, b.get(count).getNumber(), 0);
              }
              assertEquals(55.0, b.get("age").getNumber(), 0);
              assertEquals("GB", b.get("country").getText());

              Map<String, FeatureValue> c = byPromo.get("p-c");
              // No profile: every profile feature missing, event features still computed.
              assertEquals(1.0, c.get("clicks_7d").getNumber(), 0);
              assertEquals(0.0, c.get("orders_7d").getNumber(), 0);
              for (String profileFeature : List.of("age", "gender", "country", "tenure_days")) {
                assertNull(profileFeature, c.get(profileFeature).getNumber());
                assertNull(profileFeature, c.get(profileFeature).getText());
              }
              Map<String, FeatureValue> d = byPromo.get("p-d");
              assertEquals(0.0, d.get("clicks_7d").getNumber(), 0);
              assertNull(d.get("age").getNumber());
              return null;
            });
    pipeline.run();
  }

  @Test
  public void randomHistoriesMatchTheOracle() {
    Random r = new Random(7);
    List<String> keys = List.of("k0", "k1", "k2", "k3", "k4", "k5");
    List<String> types = List.of("view", "click", "add_to_cart", "order");
    List<CustomerEvent> events = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String type = types.get(r.nextInt(types.size()));
      // Whole hours, so many events sit exactly on a window edge or a send time.
      long time = T - 9 * DAY + r.nextInt(12 * 24) * HOUR;
      Double amount = type.equals("order") ? (double) (1 + r.nextInt(200)) / 4 : null;
      events.add(event("ev" + i, keys.get(r.nextInt(keys.size())), type, time, amount));
    }
    List<CustomerProfile> profiles =
        List.of(
            new CustomerProfile("k0", 25, "F", "FR", 19_500),
            new CustomerProfile("k1", 62, "M", "SE", 20_050),
            new CustomerProfile("k3", 38, "X", "CA", 20_400));
    List<LabelledPromo> promos = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      long sent = T - 2 * DAY + r.nextInt(4 * 24) * HOUR;
      promos.add(
          new LabelledPromo("promo" + i, keys.get(r.nextInt(keys.size())), sent, r.nextInt(2)));
    }
    PCollection<TrainingExample> examples =
        build(events, profiles, promos, PointInTimeTrainingSet.of(SPEC));

    PAssert.that(examples)
        .satisfies(
            actual -> {
              Map<String, TrainingExample> byPromo = new TreeMap<>();
              actual.forEach(x -> byPromo.put(x.getPromoId(), x));
              assertEquals(promos.size(), byPromo.size());
              for (LabelledPromo promo : promos) {
                assertEquals(
                    promo.getPromoId(),
                    oracle(events, profiles, promo),
                    byPromo.get(promo.getPromoId()).getFeatures());
              }
              return null;
            });
    pipeline.run();
  }

  @Test
  public void rejectsFractionsThatLeaveNoTrain() {
    assertThrows(
        IllegalArgumentException.class, () -> PointInTimeTrainingSet.of(SPEC).withSplits(0.5, 0.5));
    assertThrows(
        IllegalArgumentException.class,
        () -> PointInTimeTrainingSet.of(SPEC).withSplits(-0.1, 0.2));
    PointInTimeTrainingSet t = PointInTimeTrainingSet.of(SPEC).withSplits(0.2, 0.1);
    assertEquals(0.2, t.validationFraction(), 0);
    assertEquals(0.1, t.testFraction(), 0);
    assertTrue(SPEC == t.spec());
  }

  /**
   * The default spec's features for one promotion, by scanning every event: a window of length w as
   * of t holds events with t - w < time <= t.
   */
  private static List<FeatureValue> oracle(
      List<CustomerEvent> events, List<CustomerProfile> profiles, LabelledPromo promo) {
    long t = promo.getSentTime();
    double views7 = 0, clicks7 = 0, carts7 = 0, orders7 = 0, spend7 = 0, orders1 = 0, clicks1 = 0;
    for (CustomerEvent e : events) {
      if (!e.getCustomerKey().equals(promo.getCustomerKey())) {
        continue;
      }
      long time = e.getEventTime();
      boolean in7 = time > t - 7 * DAY && time <= t;
      boolean in1 = time > t - DAY && time <= t;
      switch (e.getEventType()) {
        case "view":
          views7 += in7 ? 1 : 0;
          break;
        case "click":
          clicks7 += in7 ? 1 : 0;
          clicks1 += in1 ? 1 : 0;
          break;
        case "add_to_cart":
          carts7 += in7 ? 1 : 0;
          break;
        case "order":
          orders7 += in7 ? 1 : 0;
          spend7 += in7 ? e.getAmount() : 0;
          orders1 += in1 ? 1 : 0;
          break;
        default:
          throw new AssertionError(e.getEventType());
      }
    }
    CustomerProfile profile = null;
    for (CustomerProfile p : profiles) {
      if (p.getCustomerKey().equals(promo.getCustomerKey())) {
        profile = p;
      }
    }
    List<FeatureValue> values = new ArrayList<>();
    values.add(new FeatureValue("views_7d", views7, null));
    values.add(new FeatureValue("clicks_7d", clicks7, null));
    values.add(new FeatureValue("carts_7d", carts7, null));
    values.add(new FeatureValue("orders_7d", orders7, null));
    values.add(new FeatureValue("spend_7d", spend7, null));
    values.add(new FeatureValue("orders_1d", orders1, null));
    values.add(new FeatureValue("clicks_1d", clicks1, null));
    if (profile == null) {
      for (String name : List.of("age", "gender", "country", "tenure_days")) {
        values.add(new FeatureValue(name, null, null));
      }
    } else {
      values.add(new FeatureValue("age", (double) profile.getAge(), null));
      values.add(new FeatureValue("gender", null, profile.getGender()));
      values.add(new FeatureValue("country", null, profile.getCountry()));
      values.add(
          new FeatureValue(
              "tenure_days", (double) (Math.floorDiv(t, DAY) - profile.getSignupDate()), null));
    }
    return values;
  }
}
