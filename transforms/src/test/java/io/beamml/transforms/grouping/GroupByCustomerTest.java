package io.beamml.transforms.grouping;

import static org.junit.Assert.assertEquals;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.LabelledPromo;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

/** One group per customer, holding that customer's records and nobody else's. */
public class GroupByCustomerTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static CustomerEvent event(String id, String customer, long time) {
    return CustomerEvent.newBuilder()
        .setEventId(id)
        .setCustomerKey(customer)
        .setEventType("view")
        .setEventTime(time)
        .setAmount(null)
        .setChannel("web")
        .build();
  }

  private static CustomerProfile profile(String customer, int signup, String country) {
    return CustomerProfile.newBuilder()
        .setCustomerKey(customer)
        .setAge(30)
        .setGender("F")
        .setCountry(country)
        .setSignupDate(signup)
        .build();
  }

  /**
   * Renders each group as "customer: events=N profile=COUNTRY of M promos=P", checking every record
   * is the customer's.
   */
  private static final class DescribeFn extends DoFn<KV<String, Iterable<RawUnionValue>>, String> {
    private final Counter duplicates = Metrics.counter("test", "duplicate_profiles");

    @ProcessElement
    public void processElement(
        @Element KV<String, Iterable<RawUnionValue>> element, OutputReceiver<String> out) {
      CustomerGroup group = CustomerGroup.of(element, duplicates);
      List<CustomerEvent> events = group.sortedEvents();
      long previous = Long.MIN_VALUE;
      for (CustomerEvent e : events) {
        if (!e.getCustomerKey().equals(group.customerKey()) || e.getEventTime() < previous) {
          throw new AssertionError("event " + e + " in the group of " + group.customerKey());
        }
        previous = e.getEventTime();
      }
      int promos = 0;
      for (LabelledPromo p : group.promos()) {
        if (!p.getCustomerKey().equals(group.customerKey())) {
          throw new AssertionError("promo " + p + " in the group of " + group.customerKey());
        }
        promos++;
      }
      out.output(
          group.customerKey()
              + ": events="
              + events.size()
              + " profile="
              + (group.profile() == null ? "none" : group.profile().getCountry())
              + " of "
              + group.profileCount()
              + " promos="
              + promos);
    }
  }

  @Test
  public void groupsEachCustomerAloneWithTheLatestProfileAndCountsTheExtraOnes() {
    assertGroups(GroupByCustomer.forTransform("test"));
  }

  @Test
  public void theDirectRunnersShardedGroupingGivesTheSameGroups() {
    assertGroups(GroupByCustomer.forTransform("test").withShards(3));
  }

  private void assertGroups(GroupByCustomer grouping) {
    List<CustomerEvent> events = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      events.add(event("a" + i, "alice", 1_000_000L - i));
    }
    events.add(event("b1", "bob", 5));
    List<CustomerProfile> profiles =
        List.of(
            profile("alice", 100, "DE"),
            profile("alice", 200, "FR"),
            profile("alice", 150, "IT"),
            profile("carol", 100, "GB"));
    List<LabelledPromo> promos =
        List.of(
            LabelledPromo.newBuilder()
                .setPromoId("p1")
                .setCustomerKey("bob")
                .setSentTime(10)
                .setResponded(1)
                .build(),
            LabelledPromo.newBuilder()
                .setPromoId("p2")
                .setCustomerKey("dave")
                .setSentTime(10)
                .setResponded(0)
                .build());
    PCollection<CustomerEvent> e =
        pipeline.apply(
            "Events", Create.of(events).withCoder(AvroCoder.specific(CustomerEvent.class)));
    PCollection<CustomerProfile> p =
        pipeline.apply(
            "Profiles", Create.of(profiles).withCoder(AvroCoder.specific(CustomerProfile.class)));
    PCollection<LabelledPromo> l =
        pipeline.apply(
            "Promos", Create.of(promos).withCoder(AvroCoder.specific(LabelledPromo.class)));

    PCollection<String> groups =
        CustomerInputs.of(e, p)
            .withPromos(l)
            .apply("Group", grouping)
            .apply("Describe", ParDo.of(new DescribeFn()))
            .setCoder(StringUtf8Coder.of());

    PAssert.that(groups)
        .containsInAnyOrder(
            "alice: events=300 profile=FR of 3 promos=0",
            "bob: events=1 profile=none of 0 promos=1",
            "carol: events=0 profile=GB of 1 promos=0",
            "dave: events=0 profile=none of 0 promos=1");
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    long counted = 0;
    for (var c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named("test", "duplicate_profiles"))
                    .build())
            .getCounters()) {
      counted += c.getAttempted();
    }
    assertEquals(2, counted);
  }
}
