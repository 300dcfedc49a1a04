package io.beamml.transforms.features;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.beamml.transforms.grouping.BatchGrouping;
import io.beamml.transforms.grouping.ShardKeys;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Batch feature rows: one {@link FeatureRow} per customer event, as of that event's time, with
 * the customer's profile joined in. Events and profiles are grouped per customer in the global
 * window (whatever their input windowing) and handed to {@link FeatureCalculator}, the same code
 * the streaming and training-set pipelines use.
 *
 * <p>Each row is emitted with its event time as timestamp. The grouping keeps the earliest input
 * timestamp per customer, so this is legal whenever input timestamps are no later than event
 * times (event-time stamped or {@code Create}/file sources); where they are later (for example
 * processing-time stamps) the row still gets its event time through an unbounded timestamp skew,
 * and may then be late for a downstream windowed aggregation.
 *
 * <pre>{@code
 * PCollection<FeatureRow> rows =
 *     CustomerFeatures.Input.of(events, profiles)
 *         .apply("ComputeCustomerFeatures", CustomerFeatures.of(spec));
 * }</pre>
 */
public final class CustomerFeatures
    extends PTransform<CustomerFeatures.Input, PCollection<FeatureRow>> {

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

  private static final TupleTag<CustomerEvent> EVENTS = new TupleTag<>("events");
  private static final TupleTag<CustomerProfile> PROFILES = new TupleTag<>("profiles");

  private final FeatureSpec spec;
  private final int shards;

  private CustomerFeatures(FeatureSpec spec, int shards) {
    this.spec = spec;
    this.shards = shards;
  }

  public static CustomerFeatures of(FeatureSpec spec) {
    return new CustomerFeatures(Objects.requireNonNull(spec, "spec"), ShardKeys.DEFAULT_SHARDS);
  }

  /**
   * How many groups customers are spread over (see {@link ShardKeys}); each group's customers
   * are then separated in memory, so a group must fit in a worker's memory.
   */
  public CustomerFeatures withShards(int shards) {
    return new CustomerFeatures(spec, ShardKeys.checkShards(shards));
  }

  public FeatureSpec spec() {
    return spec;
  }

  @Override
  public PCollection<FeatureRow> expand(Input input) {
    BatchGrouping.checkBounded(input.events(), "CustomerFeatures", "events");
    BatchGrouping.checkBounded(input.profiles(), "CustomerFeatures", "profiles");
    PCollection<KV<Integer, CustomerEvent>> events = BatchGrouping.keyByCustomerShard(
        input.events(), "Events", CustomerEvent::getCustomerKey, shards, AvroCoder.specific(CustomerEvent.class));
    PCollection<KV<Integer, CustomerProfile>> profiles = BatchGrouping.keyByCustomerShard(
        input.profiles(), "Profiles", CustomerProfile::getCustomerKey, shards, AvroCoder.specific(CustomerProfile.class));
    return KeyedPCollectionTuple.of(EVENTS, events)
        .and(PROFILES, profiles)
        .apply("GroupByCustomerShard", CoGroupByKey.create())
        .apply("ComputeFeatureRows", ParDo.of(new ComputeRowsFn(FeatureCalculator.of(spec))))
        .setCoder(AvroCoder.specific(FeatureRow.class));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("featureSpec", spec.name() + " v" + spec.version()))
        .add(DisplayData.item("specFingerprint", spec.fingerprint()));
  }

  /** Computes the rows of each customer in one shard and stamps each with its event time. */
  private static final class ComputeRowsFn extends DoFn<KV<Integer, CoGbkResult>, FeatureRow> {
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
        @Element KV<Integer, CoGbkResult> element, OutputReceiver<FeatureRow> out) {
      CoGbkResult grouped = element.getValue();
      // Sorted by customer so a shard's rows come out in the same order on every runner.
      Map<String, List<CustomerProfile>> profilesByCustomer =
          BatchGrouping.byCustomer(grouped.getAll(PROFILES), CustomerProfile::getCustomerKey);
      Map<String, List<CustomerEvent>> eventsByCustomer =
          BatchGrouping.byCustomer(grouped.getAll(EVENTS), CustomerEvent::getCustomerKey);
      for (Map.Entry<String, List<CustomerProfile>> p : profilesByCustomer.entrySet()) {
        if (p.getValue().size() > 1) {
          duplicates.inc(p.getValue().size() - 1);
        }
        if (!eventsByCustomer.containsKey(p.getKey())) {
          withoutEvents.inc(p.getValue().size());
        }
      }
      for (Map.Entry<String, List<CustomerEvent>> customer : eventsByCustomer.entrySet()) {
        List<CustomerProfile> profiles = profilesByCustomer.getOrDefault(customer.getKey(), List.of());
        CustomerProfile profile = FeatureCalculator.chooseProfile(profiles);
        if (profile == null) {
          withoutProfile.inc();
        }
        List<CustomerEvent> events = customer.getValue();
        for (FeatureRow row : calculator.rowsForEachEvent(customer.getKey(), events, profile)) {
          out.outputWithTimestamp(row, new Instant(row.getEventTime()));
        }
        rows.inc(events.size());
      }
    }

    /**
     * Rows go back to their own event times, earlier than the grouped element when its input
     * timestamps were later than the event times (see the class comment).
     */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE);
    }
  }

  /** The two inputs: cleaned customer events and customer profiles, both keyed by customer_key. */
  public static final class Input implements PInput {
    private final PCollection<CustomerEvent> events;
    private final PCollection<CustomerProfile> profiles;

    private Input(PCollection<CustomerEvent> events, PCollection<CustomerProfile> profiles) {
      this.events = events;
      this.profiles = profiles;
    }

    public static Input of(
        PCollection<CustomerEvent> events, PCollection<CustomerProfile> profiles) {
      Objects.requireNonNull(events, "events");
      Objects.requireNonNull(profiles, "profiles");
      if (events.getPipeline() != profiles.getPipeline()) {
        throw new IllegalArgumentException("events and profiles belong to different pipelines");
      }
      return new Input(events, profiles);
    }

    public PCollection<CustomerEvent> events() {
      return events;
    }

    public PCollection<CustomerProfile> profiles() {
      return profiles;
    }

    public <OutputT extends POutput> OutputT apply(
        String name, PTransform<? super Input, OutputT> transform) {
      return Pipeline.applyTransform(name, this, transform);
    }

    @Override
    public Pipeline getPipeline() {
      return events.getPipeline();
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      Map<TupleTag<?>, PValue> map = new LinkedHashMap<>();
      map.put(EVENTS, events);
      map.put(PROFILES, profiles);
      return map;
    }
  }
}
