package io.beamml.transforms.dedup;

import io.beamml.transforms.grouping.ShardKeys;
import io.beamml.transforms.metrics.MetricLabels;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Deduplicates records by their event id, in batch and in streaming, and routes every repeat to
 * {@link DedupResult#duplicates()} instead of dropping it (Beam's {@code Deduplicate} drops them
 * silently and defaults to processing time).
 *
 * <p>Each id is remembered from its first arrival until the watermark passes that arrival's event
 * time plus the horizon; an event-time timer then clears it. The horizon therefore bounds state: at
 * most the ids whose event time lies within one horizon of the watermark are held (one small state
 * cell and one timer each). A copy that arrives after its id was forgotten is treated as new. On
 * batch runners the watermark does not advance until the input is exhausted, so every copy within a
 * bounded input is caught whatever the horizon.
 *
 * <p>A bounded input (a backfill) is complete before anything is emitted, so there every copy is
 * caught whatever the horizon, and the copies are grouped by their id instead of held in per-id
 * state: same output, far cheaper per id on batch runners, and a group holds one id's copies only,
 * so memory does not grow with the input and the work spreads over every worker. {@link
 * #withEmitOnArrival()} keeps the per-id state for a bounded input too.
 *
 * <p>Elements must carry their event time as their Beam timestamp (the pipeline assigns it before
 * this step). State is per window: pipelines apply this in the global window. In a finite window,
 * an id is also forgotten when the window expires.
 *
 * <p>Which copy counts as the first is the order of arrival, which Beam does not fix; for copies
 * with identical content it does not matter which one is kept. Copies that share an id but differ
 * in content are still duplicates: the id is the record's identity. Ids must not be null (Validate
 * guarantees it upstream).
 */
public final class Dedup<T> extends PTransform<PCollection<T>, DedupResult<T>> {

  /** Metrics namespace of the counter below. */
  public static final String METRICS_NAMESPACE = "dedup";

  /**
   * Counter of records routed to {@link DedupResult#duplicates()}; labelled with the source ({@code
   * duplicates{source=clicks}}, see {@link MetricLabels}) when {@link #withSource} names one.
   */
  public static final String DUPLICATES_COUNTER = "duplicates";

  /** How long after an event's time its id is remembered, unless told otherwise. */
  public static final Duration DEFAULT_HORIZON = Duration.standardDays(1);

  private final SerializableFunction<T, String> idFn;
  private final Duration horizon;
  private final int shards;
  private final @Nullable String source;
  private final boolean emitOnArrival;

  private Dedup(
      SerializableFunction<T, String> idFn,
      Duration horizon,
      int shards,
      @Nullable String source,
      boolean emitOnArrival) {
    this.idFn = idFn;
    this.horizon = horizon;
    this.shards = shards;
    this.source = source;
    this.emitOnArrival = emitOnArrival;
  }

  /** Deduplicates by the id that {@code idFn} extracts, remembering ids for the default horizon. */
  public static <T> Dedup<T> byKey(SerializableFunction<T, String> idFn) {
    return new Dedup<>(Objects.requireNonNull(idFn, "idFn"), DEFAULT_HORIZON, 0, null, false);
  }

  /** How long after an event's time its id is remembered; must be positive. */
  public Dedup<T> withHorizon(Duration horizon) {
    Objects.requireNonNull(horizon, "horizon");
    if (!horizon.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("dedup horizon must be positive, got " + horizon);
    }
    return new Dedup<>(idFn, horizon, shards, source, emitOnArrival);
  }

  /**
   * Keeps ids in per-id state and emits each first copy as it arrives, at its own timestamp, for a
   * bounded input too: for pipelines whose next steps compare event times with the watermark (the
   * streaming features' lateness), in a bounded run of a streaming job. The bounded path emits its
   * copies only after the grouping has fired at the window's end, behind the watermark, where such
   * a step may judge every one of them late.
   */
  public Dedup<T> withEmitOnArrival() {
    return new Dedup<>(idFn, horizon, shards, source, true);
  }

  /**
   * For bounded input on the Direct runner only (see {@link ShardKeys}): group the ids into this
   * many shards, each held in memory, instead of by id; 0, the default, groups by id.
   */
  public Dedup<T> withShards(int shards) {
    return new Dedup<>(idFn, horizon, ShardKeys.checkShards(shards), source, emitOnArrival);
  }

  /** The source whose records these are, as the label of the duplicates counter. */
  public Dedup<T> withSource(String source) {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("source must be named");
    }
    return new Dedup<>(idFn, horizon, shards, source, emitOnArrival);
  }

  public Duration horizon() {
    return horizon;
  }

  private String counterName() {
    return source == null
        ? DUPLICATES_COUNTER
        : MetricLabels.name(DUPLICATES_COUNTER, "source", source);
  }

  @Override
  public DedupResult<T> expand(PCollection<T> input) {
    Coder<T> coder = input.getCoder();
    TupleTag<T> uniqueTag = new TupleTag<>("unique");
    TupleTag<T> duplicatesTag = new TupleTag<>("duplicates");
    if (input.isBounded() == PCollection.IsBounded.BOUNDED && !emitOnArrival) {
      return shards > 0
          ? expandSharded(input, coder, uniqueTag, duplicatesTag)
          : expandBounded(input, coder, uniqueTag, duplicatesTag);
    }

    PCollection<KV<String, T>> keyed =
        input
            .apply("KeyByEventId", ParDo.of(new KeyByIdFn<>(idFn)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), coder));
    PCollectionTuple routed =
        keyed.apply(
            "RouteRepeatArrivals",
            ParDo.of(new FirstArrivalFn<T>(horizon, counterName(), uniqueTag, duplicatesTag))
                .withOutputTags(uniqueTag, TupleTagList.of(duplicatesTag)));
    routed.get(uniqueTag).setCoder(coder);
    routed.get(duplicatesTag).setCoder(coder);
    return DedupResult.in(routed, uniqueTag, duplicatesTag);
  }

  /**
   * A bounded input is complete, so no state needs expiring: group the copies by id and keep each
   * id's first. The same records come out as from the stateful path, at a fraction of its per-key
   * cost on batch runners. Each copy carries its own timestamp through the grouping and goes out at
   * it; the group itself is stamped at the window's end, the one timestamp combiner Flink's batch
   * runner groups without a pre-shuffle combine (which, with ids nearly unique, would build and
   * encode a one-element list per record).
   */
  private DedupResult<T> expandBounded(
      PCollection<T> input, Coder<T> coder, TupleTag<T> uniqueTag, TupleTag<T> duplicatesTag) {
    PCollectionTuple routed =
        input
            .apply(
                "StampGroupsAtWindowEnd",
                Window.<T>configure().withTimestampCombiner(TimestampCombiner.END_OF_WINDOW))
            .apply("KeyByEventId", ParDo.of(new KeyTimestampedByIdFn<>(idFn)))
            .setCoder(
                KvCoder.of(StringUtf8Coder.of(), TimestampedValue.TimestampedValueCoder.of(coder)))
            .apply("GroupByEventId", GroupByKey.create())
            .apply(
                "RouteRepeatCopies",
                ParDo.of(new FirstCopyFn<T>(counterName(), uniqueTag, duplicatesTag))
                    .withOutputTags(uniqueTag, TupleTagList.of(duplicatesTag)));
    routed.get(uniqueTag).setCoder(coder);
    routed.get(duplicatesTag).setCoder(coder);
    return DedupResult.in(routed, uniqueTag, duplicatesTag);
  }

  /** {@link #expandBounded} for the Direct runner: ids grouped by shard, a shard's ids in a set. */
  private DedupResult<T> expandSharded(
      PCollection<T> input, Coder<T> coder, TupleTag<T> uniqueTag, TupleTag<T> duplicatesTag) {
    int n = shards;
    SerializableFunction<T, String> ids = idFn;
    PCollectionTuple routed =
        input
            .apply(
                "StampGroupsAtWindowEnd",
                Window.<T>configure().withTimestampCombiner(TimestampCombiner.END_OF_WINDOW))
            .apply(
                "KeyByIdShard",
                ParDo.of(
                    new DoFn<T, KV<Integer, KV<String, TimestampedValue<T>>>>() {
                      @ProcessElement
                      public void processElement(
                          @Element T element,
                          @Timestamp Instant timestamp,
                          OutputReceiver<KV<Integer, KV<String, TimestampedValue<T>>>> out) {
                        String id = requireId(ids.apply(element));
                        out.output(
                            KV.of(
                                ShardKeys.shardOf(id, n),
                                KV.of(id, TimestampedValue.of(element, timestamp))));
                      }
                    }))
            .setCoder(
                KvCoder.of(
                    VarIntCoder.of(),
                    KvCoder.of(
                        StringUtf8Coder.of(), TimestampedValue.TimestampedValueCoder.of(coder))))
            .apply("GroupByIdShard", GroupByKey.create())
            .apply(
                "RouteRepeatCopies",
                ParDo.of(new FirstCopyInShardFn<T>(counterName(), uniqueTag, duplicatesTag))
                    .withOutputTags(uniqueTag, TupleTagList.of(duplicatesTag)));
    routed.get(uniqueTag).setCoder(coder);
    routed.get(duplicatesTag).setCoder(coder);
    return DedupResult.in(routed, uniqueTag, duplicatesTag);
  }

  /**
   * Where each copy of a bounded dedup goes: the first of its id to the unique output, the rest to
   * the duplicates, each at its own event time (the group carries only the window's end).
   */
  private static final class CopyRouter<T> implements java.io.Serializable {
    private final TupleTag<T> uniqueTag;
    private final TupleTag<T> duplicatesTag;
    private final Counter duplicates;

    CopyRouter(String counterName, TupleTag<T> uniqueTag, TupleTag<T> duplicatesTag) {
      this.duplicates = Metrics.counter(METRICS_NAMESPACE, counterName);
      this.uniqueTag = uniqueTag;
      this.duplicatesTag = duplicatesTag;
    }

    /** Copies go back to their own timestamps, earlier than their group's (the window's end). */
    static Duration allowedSkew() {
      return Duration.millis(Long.MAX_VALUE);
    }

    void route(boolean first, TimestampedValue<T> copy, DoFn.MultiOutputReceiver out) {
      if (first) {
        out.get(uniqueTag).outputWithTimestamp(copy.getValue(), copy.getTimestamp());
      } else {
        duplicates.inc();
        out.get(duplicatesTag).outputWithTimestamp(copy.getValue(), copy.getTimestamp());
      }
    }
  }

  /** Emits the first copy of each id in a shard as unique, later ones as duplicates. */
  private static final class FirstCopyInShardFn<T>
      extends DoFn<KV<Integer, Iterable<KV<String, TimestampedValue<T>>>>, T> {
    private final CopyRouter<T> router;

    FirstCopyInShardFn(String counterName, TupleTag<T> uniqueTag, TupleTag<T> duplicatesTag) {
      this.router = new CopyRouter<>(counterName, uniqueTag, duplicatesTag);
    }

    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return CopyRouter.allowedSkew();
    }

    @ProcessElement
    public void processElement(
        @Element KV<Integer, Iterable<KV<String, TimestampedValue<T>>>> shard,
        MultiOutputReceiver out) {
      Set<String> seen = new HashSet<>();
      for (KV<String, TimestampedValue<T>> copy : shard.getValue()) {
        router.route(seen.add(copy.getKey()), copy.getValue(), out);
      }
    }
  }

  private static String requireId(@Nullable String id) {
    if (id == null) {
      throw new IllegalArgumentException(
          "dedup id function returned null; ids are required before deduplication");
    }
    return id;
  }

  /**
   * Keys each record by its id, with its own timestamp beside it (the group keeps the earliest).
   */
  private static final class KeyTimestampedByIdFn<T>
      extends DoFn<T, KV<String, TimestampedValue<T>>> {
    private final SerializableFunction<T, String> idFn;

    KeyTimestampedByIdFn(SerializableFunction<T, String> idFn) {
      this.idFn = idFn;
    }

    @ProcessElement
    public void processElement(
        @Element T element,
        @Timestamp Instant timestamp,
        OutputReceiver<KV<String, TimestampedValue<T>>> out) {
      out.output(KV.of(requireId(idFn.apply(element)), TimestampedValue.of(element, timestamp)));
    }
  }

  /** Emits the first copy of an id as unique and the others as duplicates, each at its own time. */
  private static final class FirstCopyFn<T>
      extends DoFn<KV<String, Iterable<TimestampedValue<T>>>, T> {
    private final CopyRouter<T> router;

    FirstCopyFn(String counterName, TupleTag<T> uniqueTag, TupleTag<T> duplicatesTag) {
      this.router = new CopyRouter<>(counterName, uniqueTag, duplicatesTag);
    }

    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return CopyRouter.allowedSkew();
    }

    @ProcessElement
    public void processElement(
        @Element KV<String, Iterable<TimestampedValue<T>>> copies, MultiOutputReceiver out) {
      boolean first = true;
      for (TimestampedValue<T> copy : copies.getValue()) {
        router.route(first, copy, out);
        first = false;
      }
    }
  }

  private static final class KeyByIdFn<T> extends DoFn<T, KV<String, T>> {
    private final SerializableFunction<T, String> idFn;

    KeyByIdFn(SerializableFunction<T, String> idFn) {
      this.idFn = idFn;
    }

    @ProcessElement
    public void processElement(@Element T element, OutputReceiver<KV<String, T>> out) {
      out.output(KV.of(requireId(idFn.apply(element)), element));
    }
  }

  /** Emits the first arrival of each key as unique and later ones as duplicates. */
  private static final class FirstArrivalFn<T> extends DoFn<KV<String, T>, T> {
    private static final String SEEN = "seen";
    private static final String EXPIRY = "expiry";

    @StateId(SEEN)
    private final StateSpec<ValueState<Boolean>> seenSpec = StateSpecs.value(BooleanCoder.of());

    @TimerId(EXPIRY)
    private final TimerSpec expirySpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    private final Duration horizon;
    private final TupleTag<T> uniqueTag;
    private final TupleTag<T> duplicatesTag;
    private final Counter duplicates;

    FirstArrivalFn(
        Duration horizon, String counterName, TupleTag<T> uniqueTag, TupleTag<T> duplicatesTag) {
      this.duplicates = Metrics.counter(METRICS_NAMESPACE, counterName);
      this.horizon = horizon;
      this.uniqueTag = uniqueTag;
      this.duplicatesTag = duplicatesTag;
    }

    @ProcessElement
    public void processElement(
        @Element KV<String, T> element,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        @StateId(SEEN) ValueState<Boolean> seen,
        @TimerId(EXPIRY) Timer expiry,
        MultiOutputReceiver out) {
      if (seen.read() != null) {
        duplicates.inc();
        out.get(duplicatesTag).output(element.getValue());
        return;
      }
      seen.write(true);
      Instant forgetAt = timestamp.plus(horizon);
      // Past the window's end the runner garbage-collects the state itself, and a timer there
      // would be rejected. The timer's output timestamp is its firing time, not the element's:
      // it emits nothing, and a hold at the element's time would delay every downstream window
      // by the horizon, while a hold at the firing time never holds the watermark back.
      if (!forgetAt.isAfter(window.maxTimestamp())) {
        expiry.withOutputTimestamp(forgetAt).set(forgetAt);
      }
      out.get(uniqueTag).output(element.getValue());
    }

    @OnTimer(EXPIRY)
    public void onExpiry(@StateId(SEEN) ValueState<Boolean> seen) {
      seen.clear();
    }
  }
}
