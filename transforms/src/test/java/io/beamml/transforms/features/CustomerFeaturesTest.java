package io.beamml.transforms.features;

import static io.beamml.transforms.features.FeatureTestData.DAY;
import static io.beamml.transforms.features.FeatureTestData.HOUR;
import static io.beamml.transforms.features.FeatureTestData.SIGNUP_2026_01_01;
import static io.beamml.transforms.features.FeatureTestData.T;
import static io.beamml.transforms.features.FeatureTestData.event;
import static io.beamml.transforms.features.FeatureTestData.profile;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.transforms.grouping.CustomerInputs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class CustomerFeaturesTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final FeatureSpec SPEC = FeatureSpec.defaultSpec();

  private PCollection<CustomerEvent> events(List<CustomerEvent> events) {
    return pipeline.apply(
        "CreateEvents", Create.of(events).withCoder(AvroCoder.specific(CustomerEvent.class)));
  }

  private PCollection<CustomerProfile> profiles(List<CustomerProfile> profiles) {
    return pipeline.apply(
        "CreateProfiles", Create.of(profiles).withCoder(AvroCoder.specific(CustomerProfile.class)));
  }

  /** The default spec's row, written out by hand. */
  private static FeatureRow row(
      String eventId,
      String customer,
      long time,
      String type,
      double views,
      double clicks,
      double carts,
      double orders,
      double spend,
      double orders1d,
      double clicks1d,
      Double age,
      String gender,
      String country,
      Double tenure) {
    List<FeatureValue> values = new ArrayList<>();
    String[] eventNames = {
      "views_7d", "clicks_7d", "carts_7d", "orders_7d", "spend_7d", "orders_1d", "clicks_1d"
    };
    double[] eventValues = {views, clicks, carts, orders, spend, orders1d, clicks1d};
    for (int i = 0; i < eventNames.length; i++) {
      values.add(new FeatureValue(eventNames[i], eventValues[i], null));
    }
    values.add(new FeatureValue("age", age, null));
    values.add(new FeatureValue("gender", null, gender));
    values.add(new FeatureValue("country", null, country));
    values.add(new FeatureValue("tenure_days", tenure, null));
    return new FeatureRow(eventId, customer, time, type, SPEC.fingerprint(), values);
  }

  @Test
  public void joinsProfilesAndEmitsOneRowPerEvent() {
    PCollection<FeatureRow> rows =
        CustomerInputs.of(
                events(
                    List.of(
                        event("b1", "bob", "order", T, 12.5, null),
                        event("a2", "alice", "click", T, null, "web"),
                        event("a1", "alice", "view", T - 7 * DAY, null, "app"),
                        event("a3", "alice", "order", T - 2 * HOUR, 40.0, null),
                        event("b0", "bob", "view", T - 8 * DAY, null, "web"))),
                profiles(
                    List.of(
                        profile("alice", 34, "F", "DE", SIGNUP_2026_01_01),
                        profile("carol", 50, "X", "US", SIGNUP_2026_01_01))))
            .apply("ComputeCustomerFeatures", CustomerFeatures.of(SPEC));

    PAssert.that(rows)
        .containsInAnyOrder(
            // alice's view exactly 7 days before T counts only in its own row
            row("a1", "alice", T - 7 * DAY, "view", 1, 0, 0, 0, 0, 0, 0, 34.0, "F", "DE", 2.0),
            row("a3", "alice", T - 2 * HOUR, "order", 1, 0, 0, 1, 40, 1, 0, 34.0, "F", "DE", 9.0),
            row("a2", "alice", T, "click", 0, 1, 0, 1, 40, 1, 1, 34.0, "F", "DE", 9.0),
            // bob has no profile; carol has no event, so no row
            row("b0", "bob", T - 8 * DAY, "view", 1, 0, 0, 0, 0, 0, 0, null, null, null, null),
            row("b1", "bob", T, "order", 0, 0, 0, 1, 12.5, 1, 0, null, null, null, null));

    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(5, counter(result, CustomerFeatures.ROWS));
    assertEquals(1, counter(result, CustomerFeatures.CUSTOMERS_WITHOUT_PROFILE));
    assertEquals(1, counter(result, CustomerFeatures.PROFILES_WITHOUT_EVENTS));
    assertEquals(0, counter(result, CustomerFeatures.DUPLICATE_PROFILES));
  }

  @Test
  public void usesOneDeterministicProfileWhenThereAreSeveral() {
    PCollection<FeatureRow> rows =
        CustomerInputs.of(
                events(List.of(event("a1", "alice", "view", T, null, "web"))),
                profiles(
                    List.of(
                        profile("alice", 34, "F", "DE", SIGNUP_2026_01_01),
                        profile("alice", 35, "F", "FR", SIGNUP_2026_01_01 + 2),
                        profile("alice", 36, "F", "GB", SIGNUP_2026_01_01 + 2))))
            .apply("ComputeCustomerFeatures", CustomerFeatures.of(SPEC));

    // The latest signup wins; between the two with that signup, the smaller record (age 35).
    PAssert.that(rows)
        .containsInAnyOrder(
            row("a1", "alice", T, "view", 1, 0, 0, 0, 0, 0, 0, 35.0, "F", "FR", 7.0));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(2, counter(result, CustomerFeatures.DUPLICATE_PROFILES));
  }

  @Test
  public void stampsRowsWithEventTimesWhateverTheInputWindowing() {
    List<CustomerEvent> input =
        List.of(
            event("a1", "alice", "view", T - 3 * DAY, null, "web"),
            event("a2", "alice", "view", T - DAY, null, "web"),
            event("a3", "alice", "view", T, null, "web"));
    List<TimestampedValue<CustomerEvent>> stamped = new ArrayList<>();
    for (CustomerEvent e : input) {
      stamped.add(TimestampedValue.of(e, new Instant(e.getEventTime())));
    }
    // Hourly windows upstream must not split a customer's history.
    PCollection<CustomerEvent> events =
        pipeline
            .apply(
                "CreateEvents",
                Create.timestamped(stamped).withCoder(AvroCoder.specific(CustomerEvent.class)))
            .apply("WindowHourly", Window.into(FixedWindows.of(Duration.standardHours(1))));
    PCollection<FeatureRow> rows =
        CustomerInputs.of(events, profiles(List.of()))
            .apply("ComputeCustomerFeatures", CustomerFeatures.of(SPEC));

    PCollection<KV<String, Long>> views =
        rows.apply("ViewsAndTimestamps", ParDo.of(new ViewsAndTimestampFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    PAssert.that(views)
        .containsInAnyOrder(
            KV.of("a1 views=1.0", T - 3 * DAY),
            KV.of("a2 views=2.0", T - DAY),
            KV.of("a3 views=3.0", T));
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void stampsRowsWithEventTimesEvenWhenInputTimestampsAreLater() {
    // As if stamped with processing time, a month after the events happened.
    Instant arrival = new Instant(T + 30 * DAY);
    PCollection<CustomerEvent> events =
        pipeline.apply(
            "CreateEvents",
            Create.timestamped(
                    TimestampedValue.of(
                        event("a1", "alice", "view", T - DAY, null, "web"), arrival),
                    TimestampedValue.of(event("a2", "alice", "view", T, null, "web"), arrival))
                .withCoder(AvroCoder.specific(CustomerEvent.class)));
    PCollection<CustomerProfile> profiles =
        pipeline.apply(
            "CreateProfiles",
            Create.timestamped(
                    TimestampedValue.of(
                        profile("alice", 34, "F", "DE", SIGNUP_2026_01_01), arrival))
                .withCoder(AvroCoder.specific(CustomerProfile.class)));
    PCollection<KV<String, Long>> views =
        CustomerInputs.of(events, profiles)
            .apply("ComputeCustomerFeatures", CustomerFeatures.of(SPEC))
            .apply("ViewsAndTimestamps", ParDo.of(new ViewsAndTimestampFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    PAssert.that(views)
        .containsInAnyOrder(KV.of("a1 views=1.0", T - DAY), KV.of("a2 views=2.0", T));
    pipeline.run().waitUntilFinish();
  }

  /** The row's views_7d and the element timestamp the row was emitted with. */
  private static final class ViewsAndTimestampFn extends DoFn<FeatureRow, KV<String, Long>> {
    @ProcessElement
    public void processElement(ProcessContext c) {
      FeatureRow row = c.element();
      c.output(
          KV.of(
              row.getEventId() + " views=" + row.getFeatures().get(0).getNumber(),
              c.timestamp().getMillis()));
    }
  }

  @Test
  public void matchesTheBruteForceOracleOnRandomData() {
    FeatureSpec spec = FeatureSpec.fromJson(FeatureTestData.RICH_SPEC_JSON);
    // Amounts are multiples of 0.25, so sums are exact and rows can be compared for equality.
    List<CustomerEvent> input = FeatureTestData.randomEvents(2026, 500, 20, true);
    List<CustomerProfile> profileList = FeatureTestData.randomProfiles(2027, 20);

    Map<String, CustomerProfile> profileByKey = new HashMap<>();
    for (CustomerProfile p : profileList) {
      profileByKey.put(p.getCustomerKey(), p);
    }
    Map<String, List<CustomerEvent>> byCustomer = new HashMap<>();
    for (CustomerEvent e : input) {
      byCustomer.computeIfAbsent(e.getCustomerKey(), k -> new ArrayList<>()).add(e);
    }
    List<FeatureRow> expected = new ArrayList<>();
    for (Map.Entry<String, List<CustomerEvent>> c : byCustomer.entrySet()) {
      expected.addAll(
          BruteForceFeatures.rows(spec, c.getKey(), c.getValue(), profileByKey.get(c.getKey())));
    }
    assertEquals(500, expected.size());

    PCollection<FeatureRow> rows =
        CustomerInputs.of(events(input), profiles(profileList))
            .apply("ComputeCustomerFeatures", CustomerFeatures.of(spec));
    PAssert.that(rows).containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void rejectsUnboundedInput() {
    pipeline.enableAbandonedNodeEnforcement(false);
    PCollection<CustomerEvent> stream =
        pipeline.apply(
            "StreamEvents",
            TestStream.create(AvroCoder.specific(CustomerEvent.class))
                .addElements(event("a1", "alice", "view", T, null, "web"))
                .advanceWatermarkToInfinity());
    CustomerInputs input = CustomerInputs.of(stream, profiles(List.of()));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> input.apply("ComputeCustomerFeatures", CustomerFeatures.of(SPEC)));
    assertThat(e.getMessage(), containsString("bounded"));
  }

  private static long counter(PipelineResult result, String name) {
    long total = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(CustomerFeatures.METRICS_NAMESPACE, name))
                    .build())
            .getCounters()) {
      total += c.getAttempted();
    }
    return total;
  }
}
