package io.beamml.transforms.features;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.coders.SpecificRecordCoder;
import io.beamml.transforms.grouping.CustomerGroup;
import io.beamml.transforms.grouping.CustomerInputs;
import io.beamml.transforms.grouping.GroupByCustomer;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Batch feature rows: one {@link FeatureRow} per customer event, as of that event's time, with the
 * customer's profile joined in. Events and profiles are grouped per customer in the global window
 * (whatever their input windowing) and handed to {@link FeatureCalculator}, the same code the
 * streaming and training-set pipelines use.
 *
 * <p>Each row is emitted with its event time as timestamp. The grouping stamps each customer at the
 * global window's end (see {@link GroupByCustomer#globalWindowFiredOnce}), so the row goes back to
 * its event time through an unbounded timestamp skew; with processing-time input stamps it may then
 * be late for a downstream windowed aggregation.
 *
 * <pre>{@code
 * PCollection<FeatureRow> rows =
 *     CustomerInputs.of(events, profiles)
 *         .apply("ComputeCustomerFeatures", CustomerFeatures.of(spec));
 * }</pre>
 */
public final class CustomerFeatures extends PTransform<CustomerInputs, PCollection<FeatureRow>> {

  /** Namespace of this transform's Beam metrics. */
  public static final String METRICS_NAMESPACE = "features";

  /** Counter of rows emitted (equals the number of events). */
  public static final String ROWS = "feature_rows";

  /** Counter of customers with events but no profile (their profile features are missing). */
  public static final String CUSTOMERS_WITHOUT_PROFILE = "customers_without_profile";

  /** Counter of profiles whose customer has no event (they yield no row). */
  public static final String PROFILES_WITHOUT_EVENTS = "profiles_without_events";

  /** Counter of extra profiles for one customer, of which a deterministic one was used. */
  public static final String DUPLICATE_PROFILES = "duplicate_profiles";

  private final FeatureSpec spec;
  private final int shards;

  private CustomerFeatures(FeatureSpec spec, int shards) {
    this.spec = spec;
    this.shards = shards;
  }

  public static CustomerFeatures of(FeatureSpec spec) {
    return new CustomerFeatures(Objects.requireNonNull(spec, "spec"), 0);
  }

  /** For the Direct runner only: see {@link GroupByCustomer#withShards}. */
  public CustomerFeatures withShards(int shards) {
    return new CustomerFeatures(spec, shards);
  }

  public FeatureSpec spec() {
    return spec;
  }

  @Override
  public PCollection<FeatureRow> expand(CustomerInputs input) {
    return input
        .apply(
            "GroupByCustomer", GroupByCustomer.forTransform("CustomerFeatures").withShards(shards))
        .apply("ComputeFeatureRows", ParDo.of(new ComputeRowsFn(FeatureCalculator.of(spec))))
        .setCoder(SpecificRecordCoder.of(FeatureRow.class));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("featureSpec", spec.name() + " v" + spec.version()))
        .add(DisplayData.item("specFingerprint", spec.fingerprint()));
  }

  /** Rows computed and emitted at once for one customer; each slice re-reads its window's start. */
  private static final int ROWS_PER_SLICE = 10_000;

  /** Computes one customer's rows and stamps each with its event time. */
  private static final class ComputeRowsFn
      extends DoFn<KV<String, Iterable<RawUnionValue>>, FeatureRow> {
    private final Counter rows = Metrics.counter(METRICS_NAMESPACE, ROWS);
    private final Counter withoutProfile =
        Metrics.counter(METRICS_NAMESPACE, CUSTOMERS_WITHOUT_PROFILE);
    private final Counter withoutEvents =
        Metrics.counter(METRICS_NAMESPACE, PROFILES_WITHOUT_EVENTS);
    private final Counter duplicates = Metrics.counter(METRICS_NAMESPACE, DUPLICATE_PROFILES);

    private final FeatureCalculator calculator;

    ComputeRowsFn(FeatureCalculator calculator) {
      this.calculator = calculator;
    }

    @ProcessElement
    public void processElement(
        @Element KV<String, Iterable<RawUnionValue>> element, OutputReceiver<FeatureRow> out) {
      CustomerGroup customer = CustomerGroup.of(element, duplicates);
      List<CustomerEvent> events = customer.sortedEvents();
      if (events.isEmpty()) {
        withoutEvents.inc(customer.profileCount());
        return;
      }
      CustomerProfile profile = customer.profile();
      if (profile == null) {
        withoutProfile.inc();
      }
      // A long history's rows go out a slice at a time, so only its events stay in memory.
      for (int from = 0; from < events.size(); from += ROWS_PER_SLICE) {
        int to = Math.min(events.size(), from + ROWS_PER_SLICE);
        for (FeatureRow row :
            calculator.rowsForSortedEvents(customer.customerKey(), events, from, to, profile)) {
          out.outputWithTimestamp(row, new Instant(row.getEventTime()));
        }
      }
      rows.inc(events.size());
    }

    /** Rows go back to their own event times, earlier than the grouped element's (see above). */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE);
    }
  }
}
