package io.beamml.training.pointintime;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.TrainingExample;
import io.beamml.transforms.coders.SpecificRecordCoder;
import io.beamml.transforms.features.FeatureCalculator;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.grouping.CustomerGroup;
import io.beamml.transforms.grouping.CustomerInputs;
import io.beamml.transforms.grouping.GroupByCustomer;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Labelled promotions joined with their customer's features as of the send time, without leakage:
 * features come from {@link FeatureCalculator#asOf}, the code behind backfill and streaming feature
 * rows, so only events with event time in (sent_time - window, sent_time] count and nothing that
 * happened after the promotion was sent reaches the model. Every promotion yields exactly one
 * {@link TrainingExample}: a customer without events gets empty windows (0 or missing per the
 * spec's {@code when_empty}), one without a profile gets missing profile features.
 *
 * <p>Each example is put in a split by its send time (see {@link SplitBoundaries}); the cut points
 * are computed exactly over the distinct send times of all promotions and reach the join as a side
 * input. Events, profiles and promotions are grouped per customer in the global window, each
 * customer's events sorted once and every promotion of that customer read off the sorted list.
 * Examples are stamped with their send time.
 *
 * <pre>{@code
 * PCollection<TrainingExample> examples =
 *     CustomerInputs.of(events, profiles).withPromos(promos)
 *         .apply("BuildTrainingExamples", PointInTimeTrainingSet.of(spec).withSplits(0.15, 0.15));
 * }</pre>
 */
public final class PointInTimeTrainingSet
    extends PTransform<CustomerInputs, PCollection<TrainingExample>> {

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

  private final FeatureSpec spec;
  private final double validationFraction;
  private final double testFraction;
  private final int shards;

  private PointInTimeTrainingSet(
      FeatureSpec spec, double validationFraction, double testFraction, int shards) {
    SplitBoundaries.checkFractions(validationFraction, testFraction);
    this.spec = spec;
    this.validationFraction = validationFraction;
    this.testFraction = testFraction;
    this.shards = shards;
  }

  /** Features under {@code spec}; splits 70/15/15 by send time unless told otherwise. */
  public static PointInTimeTrainingSet of(FeatureSpec spec) {
    return new PointInTimeTrainingSet(
        Objects.requireNonNull(spec, "spec"),
        DEFAULT_VALIDATION_FRACTION,
        DEFAULT_TEST_FRACTION,
        0);
  }

  /**
   * Fractions of the distinct send times that go to validation and to test (the latest ones); each
   * in [0, 1), together below 1, the rest train.
   */
  public PointInTimeTrainingSet withSplits(double validationFraction, double testFraction) {
    return new PointInTimeTrainingSet(spec, validationFraction, testFraction, shards);
  }

  /** For the Direct runner only: see {@link GroupByCustomer#withShards}. */
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
  public PCollection<TrainingExample> expand(CustomerInputs input) {
    PCollection<KV<String, Iterable<RawUnionValue>>> customers =
        input.apply(
            "GroupByCustomer",
            GroupByCustomer.forTransform("PointInTimeTrainingSet").withShards(shards));
    PCollectionView<SplitBoundaries> boundaries =
        input
            .promos()
            .apply(
                "RewindowPromosForSplits", GroupByCustomer.<LabelledPromo>globalWindowFiredOnce())
            .apply(
                "ExtractSendTimes",
                MapElements.into(TypeDescriptors.longs()).via(LabelledPromo::getSentTime))
            .setCoder(VarLongCoder.of())
            .apply(
                "CutSendTimesIntoSplits",
                Combine.globally(new SplitBoundariesFn(validationFraction, testFraction))
                    .asSingletonView());
    return customers
        .apply(
            "ComputeFeaturesAsOfSendTime",
            ParDo.of(new ExamplesFn(FeatureCalculator.of(spec), boundaries))
                .withSideInputs(boundaries))
        .setCoder(SpecificRecordCoder.of(TrainingExample.class));
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

  /** One customer's examples: events sorted once, each promotion read as of its send time. */
  private static final class ExamplesFn
      extends DoFn<KV<String, Iterable<RawUnionValue>>, TrainingExample> {
    private final Counter examples = Metrics.counter(METRICS_NAMESPACE, EXAMPLES);
    private final Counter withoutEvents = Metrics.counter(METRICS_NAMESPACE, PROMOS_WITHOUT_EVENTS);
    private final Counter withoutProfile =
        Metrics.counter(METRICS_NAMESPACE, PROMOS_WITHOUT_PROFILE);
    private final Counter duplicateProfiles =
        Metrics.counter(METRICS_NAMESPACE, DUPLICATE_PROFILES);

    private final FeatureCalculator calculator;
    private final PCollectionView<SplitBoundaries> boundariesView;

    ExamplesFn(FeatureCalculator calculator, PCollectionView<SplitBoundaries> boundariesView) {
      this.calculator = calculator;
      this.boundariesView = boundariesView;
    }

    @ProcessElement
    public void processElement(ProcessContext c) {
      CustomerGroup customer = CustomerGroup.of(c.element(), duplicateProfiles);
      Iterable<LabelledPromo> promos = customer.promos();
      if (!promos.iterator().hasNext()) {
        return;
      }
      SplitBoundaries boundaries = c.sideInput(boundariesView);
      CustomerProfile profile = customer.profile();
      List<CustomerEvent> sorted = customer.sortedEvents();
      long n = 0;
      for (LabelledPromo promo : promos) {
        long sentTime = promo.getSentTime();
        List<FeatureValue> features = calculator.asOf(sorted, profile, sentTime);
        TrainingExample example =
            TrainingExample.newBuilder()
                .setPromoId(promo.getPromoId())
                .setCustomerKey(customer.customerKey())
                .setSentTime(sentTime)
                .setLabel(promo.getResponded())
                .setSplit(boundaries.splitOf(sentTime).name())
                .setSpecFingerprint(calculator.fingerprint())
                .setFeatures(features)
                .build();
        c.outputWithTimestamp(example, new Instant(sentTime));
        n++;
      }
      examples.inc(n);
      if (sorted.isEmpty()) {
        withoutEvents.inc(n);
      }
      if (profile == null) {
        withoutProfile.inc(n);
      }
    }

    /**
     * Examples go back to their send times, earlier than the grouped element when input timestamps
     * were later than send times (for example processing-time stamps).
     */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return Duration.millis(Long.MAX_VALUE);
    }
  }
}
