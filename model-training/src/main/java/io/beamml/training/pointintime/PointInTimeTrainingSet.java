package io.beamml.training.pointintime;

import io.beamml.transforms.grouping.BatchGrouping;
import io.beamml.transforms.grouping.ShardKeys;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.TrainingExample;
import io.beamml.transforms.features.FeatureCalculator;
import io.beamml.transforms.features.FeatureSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Labelled promotions joined with their customer's features as of the send time, without
 * leakage: features come from {@link FeatureCalculator#asOf}, the code behind backfill and
 * streaming feature rows, so only events with event time in (sent_time - window, sent_time]
 * count and nothing that happened after the promotion was sent reaches the model. Every promotion
 * yields exactly one {@link TrainingExample}: a customer without events gets empty windows (0 or
 * missing per the spec's {@code when_empty}), one without a profile gets missing profile features.
 *
 * <p>Each example is put in a split by its send time (see {@link SplitBoundaries}); the cut
 * points are computed exactly over the distinct send times of all promotions and reach the join
 * as a side input. Events, profiles and promotions are grouped per customer in the global window,
 * each customer's events sorted once and every promotion of that customer read off the sorted
 * list. Examples are stamped with their send time.
 *
 * <pre>{@code
 * PCollection<TrainingExample> examples =
 *     PointInTimeTrainingSet.Input.of(events, profiles, promos)
 *         .apply("BuildTrainingExamples", PointInTimeTrainingSet.of(spec).withSplits(0.15, 0.15));
 * }</pre>
 */
public final class PointInTimeTrainingSet
    extends PTransform<PointInTimeTrainingSet.Input, PCollection<TrainingExample>> {

  /** Namespace of this transform's Beam metrics. */
  public static final String METRICS_NAMESPACE = "training_set";

  /** Counter of examples emitted (equals the number of promotions). */
  public static final String EXAMPLES = "examples";

  /** Counter of promotions whose customer has no event at all (every window empty). */
  public static final String PROMOS_WITHOUT_EVENTS = "promos_without_events";

  /** Counter of promotions whose customer has no profile (profile features missing). */
  public static final String PROMOS_WITHOUT_PROFILE = "promos_without_profile";

  /** Counter of extra profiles for one customer, of which a deterministic one was used. */
  public static final String DUPLICATE_PROFILES = "duplicate_profiles";

  public static final double DEFAULT_VALIDATION_FRACTION = 0.15;
  public static final double DEFAULT_TEST_FRACTION = 0.15;

  private static final TupleTag<CustomerEvent> EVENTS = new TupleTag<>("events");
  private static final TupleTag<CustomerProfile> PROFILES = new TupleTag<>("profiles");
  private static final TupleTag<LabelledPromo> PROMOS = new TupleTag<>("promos");

  private final FeatureSpec spec;
  private final double validationFraction;
  private final double testFraction;
  private final int shards;

  private PointInTimeTrainingSet(FeatureSpec spec, double validationFraction, double testFraction, int shards) {
    SplitBoundaries.checkFractions(validationFraction, testFraction);
    this.spec = spec;
    this.validationFraction = validationFraction;
    this.testFraction = testFraction;
    this.shards = ShardKeys.checkShards(shards);
  }

  /** Features under {@code spec}; splits 70/15/15 by send time unless told otherwise. */
  public static PointInTimeTrainingSet of(FeatureSpec spec) {
    return new PointInTimeTrainingSet(
        Objects.requireNonNull(spec, "spec"), DEFAULT_VALIDATION_FRACTION, DEFAULT_TEST_FRACTION, ShardKeys.DEFAULT_SHARDS);
  }

  /**
   * Fractions of the distinct send times that go to validation and to test (the latest ones);
   * each in [0, 1), together below 1, the rest train.
   */
  public PointInTimeTrainingSet withSplits(double validationFraction, double testFraction) {
    return new PointInTimeTrainingSet(spec, validationFraction, testFraction, shards);
  }

  /** How many groups customers are spread over (see {@link ShardKeys}). */
  public PointInTimeTrainingSet withShards(int shards) {
    return new PointInTimeTrainingSet(spec, validationFraction, testFraction, shards);
  }

  public FeatureSpec spec() {
    return spec;
  }

  public double validationFraction() {
    return validationFraction;
  }

  public double testFraction() {
    return testFraction;
  }

  @Override
  public PCollection<TrainingExample> expand(Input input) {
    String name = "PointInTimeTrainingSet";
    BatchGrouping.checkBounded(input.events(), name, "events");
    BatchGrouping.checkBounded(input.profiles(), name, "profiles");
    BatchGrouping.checkBounded(input.promos(), name, "promos");
    PCollection<KV<Integer, CustomerEvent>> events = BatchGrouping.keyByCustomerShard(
        input.events(), "Events", CustomerEvent::getCustomerKey, shards, AvroCoder.specific(CustomerEvent.class));
    PCollection<KV<Integer, CustomerProfile>> profiles = BatchGrouping.keyByCustomerShard(
        input.profiles(), "Profiles", CustomerProfile::getCustomerKey, shards, AvroCoder.specific(CustomerProfile.class));
    PCollection<LabelledPromo> promos =
        input.promos().apply("RewindowPromosForSplits", BatchGrouping.<LabelledPromo>globalWindowKeepingEarliestTimestamp());
    PCollectionView<SplitBoundaries> boundaries =
        promos
            .apply("ExtractSendTimes", MapElements.into(TypeDescriptors.longs()).via(LabelledPromo::getSentTime))
            .setCoder(VarLongCoder.of())
            .apply(
                "CutSendTimesIntoSplits",
                Combine.globally(new SplitBoundariesFn(validationFraction, testFraction)).asSingletonView());
    PCollection<KV<Integer, LabelledPromo>> keyedPromos = BatchGrouping.keyByCustomerShard(
        input.promos(), "Promos", LabelledPromo::getCustomerKey, shards, AvroCoder.specific(LabelledPromo.class));
    return KeyedPCollectionTuple.of(EVENTS, events)
        .and(PROFILES, profiles)
        .and(PROMOS, keyedPromos)
        .apply("GroupByCustomerShard", CoGroupByKey.create())
        .apply(
            "ComputeFeaturesAsOfSendTime",
            ParDo.of(new ExamplesFn(FeatureCalculator.of(spec), boundaries)).withSideInputs(boundaries))
        .setCoder(AvroCoder.specific(TrainingExample.class));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("featureSpec", spec.name() + " v" + spec.version()))
        .add(DisplayData.item("specFingerprint", spec.fingerprint()))
        .add(DisplayData.item("validationFraction", validationFraction))
        .add(DisplayData.item("testFraction", testFraction));
  }

  /** Each customer's examples in a shard: events sorted once, each promotion read as of its send time. */
  private static final class ExamplesFn extends DoFn<KV<Integer, CoGbkResult>, TrainingExample> {
    private final Counter examples = Metrics.counter(METRICS_NAMESPACE, EXAMPLES);
    private final Counter withoutEvents = Metrics.counter(METRICS_NAMESPACE, PROMOS_WITHOUT_EVENTS);
    private final Counter withoutProfile = Metrics.counter(METRICS_NAMESPACE, PROMOS_WITHOUT_PROFILE);
    private final Counter duplicateProfiles = Metrics.counter(METRICS_NAMESPACE, DUPLICATE_PROFILES);

    private final FeatureCalculator calculator;
    private final PCollectionView<SplitBoundaries> boundariesView;

    ExamplesFn(FeatureCalculator calculator, PCollectionView<SplitBoundaries> boundariesView) {
      this.calculator = calculator;
      this.boundariesView = boundariesView;
    }

    @ProcessElement
    public void processElement(ProcessContext c) {
      CoGbkResult grouped = c.element().getValue();
      Map<String, List<LabelledPromo>> promosByCustomer =
          BatchGrouping.byCustomer(grouped.getAll(PROMOS), LabelledPromo::getCustomerKey);
      if (promosByCustomer.isEmpty()) {
        return;
      }
      Map<String, List<CustomerProfile>> profilesByCustomer =
          BatchGrouping.byCustomer(grouped.getAll(PROFILES), CustomerProfile::getCustomerKey);
      Map<String, List<CustomerEvent>> eventsByCustomer =
          BatchGrouping.byCustomer(grouped.getAll(EVENTS), CustomerEvent::getCustomerKey);
      SplitBoundaries boundaries = c.sideInput(boundariesView);
      for (Map.Entry<String, List<LabelledPromo>> customer : promosByCustomer.entrySet()) {
        String customerKey = customer.getKey();
        List<LabelledPromo> promos = customer.getValue();
        List<CustomerProfile> profiles = profilesByCustomer.getOrDefault(customerKey, List.of());
        if (profiles.size() > 1) {
          duplicateProfiles.inc(profiles.size() - 1);
        }
        CustomerProfile profile = FeatureCalculator.chooseProfile(profiles);
        List<CustomerEvent> sorted =
            FeatureCalculator.sortedByTime(eventsByCustomer.getOrDefault(customerKey, List.of()));
        for (LabelledPromo promo : promos) {
          long sentTime = promo.getSentTime();
          List<FeatureValue> features = calculator.asOf(sorted, profile, sentTime);
          TrainingExample example =
              TrainingExample.newBuilder()
                  .setPromoId(promo.getPromoId())
                  .setCustomerKey(customerKey)
                  .setSentTime(sentTime)
                  .setLabel(promo.getResponded())
                  .setSplit(boundaries.splitOf(sentTime).name())
                  .setSpecFingerprint(calculator.fingerprint())
                  .setFeatures(features)
                  .build();
          c.outputWithTimestamp(example, new Instant(sentTime));
        }
        examples.inc(promos.size());
        if (sorted.isEmpty()) {
          withoutEvents.inc(promos.size());
        }
        if (profile == null) {
          withoutProfile.inc(promos.size());
        }
      }
    }

    /**
     * Examples go back to their send times, earlier than the grouped element when input
     * timestamps were later than send times (for example processing-time stamps).
     */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE);
    }
  }

  /** The three inputs, all keyed by customer_key: cleaned events, profiles, labelled promotions. */
  public static final class Input implements PInput {
    private final PCollection<CustomerEvent> events;
    private final PCollection<CustomerProfile> profiles;
    private final PCollection<LabelledPromo> promos;

    private Input(
        PCollection<CustomerEvent> events,
        PCollection<CustomerProfile> profiles,
        PCollection<LabelledPromo> promos) {
      this.events = events;
      this.profiles = profiles;
      this.promos = promos;
    }

    public static Input of(
        PCollection<CustomerEvent> events,
        PCollection<CustomerProfile> profiles,
        PCollection<LabelledPromo> promos) {
      Objects.requireNonNull(events, "events");
      Objects.requireNonNull(profiles, "profiles");
      Objects.requireNonNull(promos, "promos");
      if (events.getPipeline() != profiles.getPipeline() || events.getPipeline() != promos.getPipeline()) {
        throw new IllegalArgumentException("events, profiles and promos belong to different pipelines");
      }
      return new Input(events, profiles, promos);
    }

    public PCollection<CustomerEvent> events() {
      return events;
    }

    public PCollection<CustomerProfile> profiles() {
      return profiles;
    }

    public PCollection<LabelledPromo> promos() {
      return promos;
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
      map.put(PROMOS, promos);
      return map;
    }
  }
}
