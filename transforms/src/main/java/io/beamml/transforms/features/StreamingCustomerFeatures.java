package io.beamml.transforms.features;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.deadletter.DeadLetters;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Feature rows for a stream of customer events: one {@link FeatureRow} per event, as of its event
 * time, with the semantics of the batch {@link CustomerFeatures} (events in (t - window, t],
 * simultaneous events in each other's rows), computed per customer in keyed state by the same
 * {@link FeatureCalculator}. Every event leaves exactly once: as a row, or as a dead letter with
 * reason {@code late_event}.
 *
 * <p>Input: {@link CustomerEvent}s whose element timestamps are their event times (the job assigns
 * them at the source; a timestamp later than the event time is rejected), bounded or unbounded, in
 * any windowing (they are re-windowed into the global window). Output rows are stamped with their
 * event times; dead letters with their arrival watermark (their event time is in the record), so a
 * windowed dead-letter sink does not drop them as late.
 *
 * <p><b>Late.</b> Each customer has a closed-through time C: at each of its timer firings, C rises
 * to the latest time t with t + L before the input watermark W, where L is the allowed lateness (C
 * = max(C, W - 1 ms - L, the time the timer was set for - L)). An event is late when, at its
 * arrival, its event time is at or before its customer's C, or its event time plus L is before the
 * input watermark. In both modes that is Beam's own rule for droppable data (the watermark passed
 * the event's time plus L), checked both against the customer's state and against the watermark, so
 * a quiet customer's state can be forgotten without letting a late event through. Late events go to
 * the failures with source {@code orders} (event type {@code order}) or {@code clicks}, step {@code
 * features}, the event as JSON in {@code raw} and its event time.
 *
 * <p><b>{@link Mode#EXACT}</b> (default): an event's row is emitted once the watermark passes its
 * event time plus L, computed over all of the customer's events up to then, so it equals the batch
 * row for the same events whatever their arrival order within the lateness (bit for bit where the
 * sums are exact; otherwise within the last-bit rounding that FeatureCalculator allows between its
 * sliding and direct computations). The timer holds the output watermark at the earliest waiting
 * event, so with L = 0 no row is late downstream; an event accepted within a lateness L > 0 may
 * arrive after the watermark passed it, and its row is then up to L late downstream. A row waits
 * for the watermark: behind a source with bounded out-of-orderness D, about D + L after its event.
 *
 * <p><b>{@link Mode#LOW_LATENCY}</b>: an event's row is emitted when the event arrives, computed
 * over the customer's events that arrived before it (and itself). It equals the batch row exactly
 * when every event that the batch counts in it (event time in (t - window, t], including those at
 * t) arrived no later than the event itself: in-order input with one event per customer and
 * timestamp gives the batch rows; an event at t arriving after a later one is missing from that
 * later event's row, and of several events sharing a time only the last to arrive counts all of
 * them. Arrival is the order in which this step sees a customer's events, which Beam keeps only
 * within one input split (one Kafka partition, say). Late events (as above) are dead-lettered
 * rather than given a row over a history that may already be pruned.
 *
 * <p><b>State.</b> Per customer: its events no older than maxWindow before C, events still waiting
 * (EXACT), C, and one event-time timer. The timer prunes older events as the watermark advances and
 * clears the customer once nothing retained can count again, so a customer's state never spans more
 * than the longest window plus the allowed lateness (plus the out-of-orderness the watermark
 * admits). The metrics namespace {@value #METRICS_NAMESPACE} counts {@value #ROWS}, {@value
 * #LATE_EVENTS} and {@value #ROWS_WITHOUT_PROFILE}, and the distribution {@value #RETAINED_EVENTS}
 * records how many events a customer retains after each timer firing.
 *
 * <p><b>Profiles</b> come from a side input keyed by customer_key ({@link #profilesView}); rows are
 * computed without them in keyed state, then joined, with exactly the values the batch gets. Rows
 * wait for the side input to be ready (a bounded profiles file: once it is read). Without profiles
 * every profile feature is missing.
 *
 * <pre>{@code
 * PCollectionView<Map<String, CustomerProfile>> profiles =
 *     StreamingCustomerFeatures.profilesView(profileRecords);
 * WithFailures.Result<PCollection<FeatureRow>, DeadLetter> result =
 *     events.apply("ComputeStreamingFeatures",
 *         StreamingCustomerFeatures.of(spec).withProfiles(profiles)
 *             .withAllowedLateness(Duration.standardMinutes(5)));
 * }</pre>
 */
public final class StreamingCustomerFeatures
    extends PTransform<
        PCollection<CustomerEvent>, WithFailures.Result<PCollection<FeatureRow>, DeadLetter>> {

  /** When rows are emitted; see the class comment. */
  public enum Mode {
    /** When the watermark passes the event's time plus the allowed lateness; equals batch. */
    EXACT,
    /** When the event arrives, over the events that arrived before it. */
    LOW_LATENCY
  }

  /** Namespace of this transform's Beam metrics (shared with {@link CustomerFeatures}). */
  public static final String METRICS_NAMESPACE = CustomerFeatures.METRICS_NAMESPACE;

  /** Counter of rows emitted; the same name as the batch transform's. */
  public static final String ROWS = CustomerFeatures.ROWS;

  /** Counter of events routed to the failures as late. */
  public static final String LATE_EVENTS = "late_events";

  /** Counter of rows whose customer had no profile in the side input. */
  public static final String ROWS_WITHOUT_PROFILE = "rows_without_profile";

  /** Distribution of the events a customer keeps in state after each timer firing. */
  public static final String RETAINED_EVENTS = "retained_events";

  private final FeatureSpec spec;
  private final Mode mode;
  private final Duration allowedLateness;
  private final @Nullable PCollectionView<Map<String, CustomerProfile>> profiles;

  private StreamingCustomerFeatures(
      FeatureSpec spec,
      Mode mode,
      Duration allowedLateness,
      @Nullable PCollectionView<Map<String, CustomerProfile>> profiles) {
    this.spec = spec;
    this.mode = mode;
    this.allowedLateness = allowedLateness;
    this.profiles = profiles;
  }

  public static StreamingCustomerFeatures of(FeatureSpec spec) {
    return new StreamingCustomerFeatures(
        Objects.requireNonNull(spec, "spec"), Mode.EXACT, Duration.ZERO, null);
  }

  /** Profiles by customer_key, as {@link #profilesView} builds them. */
  public StreamingCustomerFeatures withProfiles(
      PCollectionView<Map<String, CustomerProfile>> profiles) {
    return new StreamingCustomerFeatures(
        spec, mode, allowedLateness, Objects.requireNonNull(profiles, "profiles"));
  }

  public StreamingCustomerFeatures withMode(Mode mode) {
    return new StreamingCustomerFeatures(
        spec, Objects.requireNonNull(mode, "mode"), allowedLateness, profiles);
  }

  /** How far behind the watermark an event may arrive and still get a row; zero or more. */
  public StreamingCustomerFeatures withAllowedLateness(Duration allowedLateness) {
    Objects.requireNonNull(allowedLateness, "allowedLateness");
    if (allowedLateness.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "allowed lateness must not be negative, got " + allowedLateness);
    }
    return new StreamingCustomerFeatures(spec, mode, allowedLateness, profiles);
  }

  public FeatureSpec spec() {
    return spec;
  }

  public Mode mode() {
    return mode;
  }

  public Duration allowedLateness() {
    return allowedLateness;
  }

  /**
   * A side input of profiles by customer_key for {@link #withProfiles}: one per customer, the one
   * {@link FeatureCalculator#chooseProfile} picks when there are several. The profiles must be
   * bounded (a file read once); they are re-windowed into the global window.
   */
  public static PCollectionView<Map<String, CustomerProfile>> profilesView(
      PCollection<CustomerProfile> profiles) {
    return profiles.apply("ViewProfilesByCustomer", new ViewProfilesByCustomer());
  }

  @Override
  public WithFailures.Result<PCollection<FeatureRow>, DeadLetter> expand(
      PCollection<CustomerEvent> events) {
    FeatureCalculator calculator = FeatureCalculator.of(spec);
    FeatureLateness lateness =
        new FeatureLateness(allowedLateness.getMillis(), calculator.maxWindowMillis());
    TupleTag<FeatureRow> rowsTag = new TupleTag<FeatureRow>("rows") {};
    TupleTag<DeadLetter> lateTag = new TupleTag<DeadLetter>("late") {};

    PCollection<KV<String, CustomerEvent>> keyed =
        events
            .apply(
                "RewindowGlobally",
                Window.<CustomerEvent>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes())
            .apply(
                "KeyByCustomer",
                WithKeys.of((CustomerEvent e) -> e.getCustomerKey())
                    .withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.specific(CustomerEvent.class)));

    // The step's name is part of a running job's savepoints (its operator uid on Flink).
    PCollectionTuple computed =
        keyed.apply(
            mode == Mode.EXACT ? "EmitRowsWhenFinal" : "EmitRowsOnArrival",
            ParDo.of(new CustomerFeatureRowsFn(mode, calculator, lateness, rowsTag, lateTag))
                .withOutputTags(rowsTag, TupleTagList.of(lateTag)));
    PCollection<FeatureRow> rows =
        computed.get(rowsTag).setCoder(AvroCoder.specific(FeatureRow.class));
    PCollection<DeadLetter> late = computed.get(lateTag).setCoder(DeadLetters.coder());
    if (profiles != null) {
      rows =
          rows.apply(
                  "AttachProfiles",
                  ParDo.of(new AttachProfilesFn(calculator, profiles)).withSideInputs(profiles))
              .setCoder(AvroCoder.specific(FeatureRow.class));
    }
    return WithFailures.Result.of(rows, late);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("featureSpec", spec.name() + " v" + spec.version()))
        .add(DisplayData.item("specFingerprint", spec.fingerprint()))
        .add(DisplayData.item("mode", mode.name()))
        .add(DisplayData.item("allowedLateness", allowedLateness))
        .add(DisplayData.item("profiles", profiles != null));
  }

  /** Fills each row's profile columns from the side input, as of the row's time. */
  private static final class AttachProfilesFn extends DoFn<FeatureRow, FeatureRow> {
    private final FeatureCalculator calculator;
    private final PCollectionView<Map<String, CustomerProfile>> profiles;
    private final Counter withoutProfile = Metrics.counter(METRICS_NAMESPACE, ROWS_WITHOUT_PROFILE);

    AttachProfilesFn(
        FeatureCalculator calculator, PCollectionView<Map<String, CustomerProfile>> profiles) {
      this.calculator = calculator;
      this.profiles = profiles;
    }

    @ProcessElement
    public void processElement(ProcessContext c) {
      FeatureRow row = c.element();
      CustomerProfile profile = c.sideInput(profiles).get(row.getCustomerKey());
      if (profile == null) {
        withoutProfile.inc();
      }
      c.output(calculator.withProfile(row, profile));
    }
  }

  /** Keys profiles by customer, keeps one per customer and views them as a map. */
  private static final class ViewProfilesByCustomer
      extends PTransform<
          PCollection<CustomerProfile>, PCollectionView<Map<String, CustomerProfile>>> {

    @Override
    public PCollectionView<Map<String, CustomerProfile>> expand(
        PCollection<CustomerProfile> profiles) {
      if (profiles.isBounded() != PCollection.IsBounded.BOUNDED) {
        throw new IllegalArgumentException(
            "profiles for streaming features must be bounded (read once); "
                + profiles.getName()
                + " is unbounded");
      }
      return profiles
          .apply("RewindowProfilesGlobally", Window.<CustomerProfile>into(new GlobalWindows()))
          .apply(
              "KeyProfilesByCustomer",
              WithKeys.of((CustomerProfile p) -> p.getCustomerKey())
                  .withKeyType(TypeDescriptors.strings()))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.specific(CustomerProfile.class)))
          .apply("ChooseOneProfilePerCustomer", Combine.perKey(new ChooseProfileFn()))
          .apply("ViewAsMap", View.asMap());
    }
  }

  /** {@link FeatureCalculator#chooseProfile}: a total order, so it combines in any grouping. */
  private static final class ChooseProfileFn
      implements SerializableFunction<Iterable<CustomerProfile>, CustomerProfile> {
    @Override
    public CustomerProfile apply(Iterable<CustomerProfile> profiles) {
      return FeatureCalculator.chooseProfile(profiles);
    }
  }
}
