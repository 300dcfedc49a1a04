package io.beamml.pipelines.quality;

import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.LabelledPromo;
import io.beamml.training.quality.LabelledScore;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.metrics.MetricLabels;
import io.beamml.transforms.windowing.TimerTimes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The stream's {@link MatchScores}: each promotion response gets, per model version and variant,
 * its customer's latest score at or before the send time, from per-customer keyed state that the
 * scores and the responses both flow into. Input timestamps are event times (a response's is its
 * send time, a score's its event time); matched scores leave stamped with the send time, so a daily
 * window of send times can measure them.
 *
 * <p><b>When.</b> A response is matched once the input watermark has passed its send time (every
 * score up to then has arrived): at once when it arrives later than that, which is the usual case,
 * as responses come hours or days after the promotion; else it waits in state behind an event-time
 * timer that holds the output watermark at its send time. A score that reaches this step after the
 * watermark passed a response's send time is not used for that response.
 *
 * <p><b>Late.</b> A response is late when it arrives after the watermark passed its send time plus
 * the lateness L, or at or before its customer's closed-through time C (raised at each pruning to
 * the latest time the watermark passed by more than L, as {@code StreamingCustomerFeatures} does):
 * the scores it needs may be pruned, and its day's window may be closed. Late responses go to the
 * dead letters (source {@code responses}, step {@code quality}, reason {@code late_response}).
 *
 * <p><b>State.</b> Per customer: its scores, the responses waiting for the watermark, C, and two
 * timers. Each pruning keeps, per model version and variant, the scores after C and the latest at
 * or before it, and drops that one too once it is more than the score TTL before C; a response
 * matches only a score at most the TTL before its send time, so pruning never changes a match. A
 * customer with nothing left is forgotten. So the state spans the lateness plus one score per
 * variant, and never more than L + TTL of a customer's scores.
 *
 * <p>Every response leaves once: {@link Result#matched} (one {@link LabelledScore} per variant that
 * scored the customer; the response itself in {@link Result#scored}), {@link Result#unmatched} (no
 * score within the TTL at or before the send time) or {@link Result#late}. Counters, namespace
 * {@code quality}: {@code responses_matched{by=latest_prediction}}, {@code responses_unscored} (as
 * in batch) and {@code responses_late}.
 */
public final class StreamMatchScores
    extends PTransform<PCollection<LabelledPromo>, StreamMatchScores.Result> {

  public static final String LATE_COUNTER = "responses_late";

  private static final TupleTag<LabelledScore> MATCHED = new TupleTag<>() {};
  private static final TupleTag<LabelledPromo> SCORED = new TupleTag<>() {};
  private static final TupleTag<LabelledPromo> UNMATCHED = new TupleTag<>() {};
  private static final TupleTag<DeadLetter> LATE = new TupleTag<>() {};

  private final PCollection<Score> scores;
  private final Duration lateness;
  private final Duration scoreTtl;

  private StreamMatchScores(PCollection<Score> scores, Duration lateness, Duration scoreTtl) {
    this.scores = scores;
    this.lateness = lateness;
    this.scoreTtl = scoreTtl;
  }

  /**
   * Matches against {@code scores}, stamped with their event times; lateness and TTL one day each.
   */
  public static StreamMatchScores with(PCollection<Score> scores) {
    return new StreamMatchScores(
        Objects.requireNonNull(scores, "scores"),
        Duration.standardDays(1),
        Duration.standardDays(1));
  }

  /** How long after the watermark passed its send time a response may still arrive. */
  public StreamMatchScores withLateness(Duration value) {
    return new StreamMatchScores(scores, checkNotNegative("lateness", value), scoreTtl);
  }

  /** How long before a send time a customer's score may be to still be the one it got. */
  public StreamMatchScores withScoreTtl(Duration value) {
    return new StreamMatchScores(scores, lateness, checkNotNegative("score TTL", value));
  }

  private static Duration checkNotNegative(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException("the " + what + " must not be negative, got " + value);
    }
    return value;
  }

  @Override
  public Result expand(PCollection<LabelledPromo> responses) {
    Coder<Arrival> arrival = ArrivalCoder.INSTANCE;
    PCollection<KV<String, Arrival>> fromScores =
        scores
            .apply(
                "KeyScoresByCustomer",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.strings(), TypeDescriptor.of(Arrival.class)))
                    .via((Score s) -> KV.of(s.customerKey(), new Arrival(s, null))))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), arrival))
            .apply("ScoresInGlobalWindow", Window.into(new GlobalWindows()));
    PCollection<KV<String, Arrival>> fromResponses =
        responses
            .apply(
                "KeyResponsesByCustomer",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.strings(), TypeDescriptor.of(Arrival.class)))
                    .via((LabelledPromo r) -> KV.of(r.getCustomerKey(), new Arrival(null, r))))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), arrival))
            .apply("ResponsesInGlobalWindow", Window.into(new GlobalWindows()));
    PCollectionTuple out =
        PCollectionList.of(fromScores)
            .and(fromResponses)
            .apply("FlattenScoresAndResponses", Flatten.pCollections())
            .apply(
                "MatchLatestScore",
                ParDo.of(new MatchFn(lateness.getMillis(), scoreTtl.getMillis()))
                    .withOutputTags(MATCHED, TupleTagList.of(SCORED).and(UNMATCHED).and(LATE)));
    return new Result(
        responses.getPipeline(),
        out.get(MATCHED).setCoder(SerializableCoder.of(LabelledScore.class)),
        out.get(SCORED).setCoder(AvroCoder.specific(LabelledPromo.class)),
        out.get(UNMATCHED).setCoder(AvroCoder.specific(LabelledPromo.class)),
        out.get(LATE).setCoder(DeadLetters.coder()));
  }

  /** A score or a response of one customer, as the keyed state sees them. */
  record Arrival(@Nullable Score score, @Nullable LabelledPromo response) {}

  private static final class ArrivalCoder extends CustomCoder<Arrival> {
    private static final long serialVersionUID = 1L;
    private static final ArrivalCoder INSTANCE = new ArrivalCoder();
    private static final Coder<Score> SCORE = SerializableCoder.of(Score.class);
    private static final Coder<LabelledPromo> RESPONSE = AvroCoder.specific(LabelledPromo.class);

    @Override
    public void encode(Arrival a, OutputStream out) throws IOException {
      if (a.score() != null) {
        out.write(0);
        SCORE.encode(a.score(), out);
      } else {
        out.write(1);
        RESPONSE.encode(a.response(), out);
      }
    }

    @Override
    public Arrival decode(InputStream in) throws IOException {
      int tag = in.read();
      if (tag == 0) {
        return new Arrival(SCORE.decode(in), null);
      }
      if (tag == 1) {
        return new Arrival(null, RESPONSE.decode(in));
      }
      throw new IOException("not an encoded score or response: tag " + tag);
    }
  }

  /** Later last; at equal times the higher score last, as {@link MatchScores} orders them. */
  private static final Comparator<Score> BY_TIME =
      Comparator.comparingLong(Score::eventTime).thenComparingDouble(Score::score);

  private static final class MatchFn extends DoFn<KV<String, Arrival>, LabelledScore> {
    private static final String SCORES = "scores";
    private static final String PENDING = "pending";
    private static final String EARLIEST_PENDING = "earliestPending";
    private static final String CLOSED_THROUGH = "closedThrough";
    private static final String PRUNE_AT = "pruneAt";
    private static final String MATCH = "match";
    private static final String PRUNE = "prune";

    @StateId(SCORES)
    private final StateSpec<BagState<Score>> scoresSpec =
        StateSpecs.bag(SerializableCoder.of(Score.class));

    @StateId(PENDING)
    private final StateSpec<BagState<LabelledPromo>> pendingSpec =
        StateSpecs.bag(AvroCoder.specific(LabelledPromo.class));

    @StateId(EARLIEST_PENDING)
    private final StateSpec<ValueState<Long>> earliestPendingSpec =
        StateSpecs.value(VarLongCoder.of());

    @StateId(CLOSED_THROUGH)
    private final StateSpec<ValueState<Long>> closedThroughSpec =
        StateSpecs.value(VarLongCoder.of());

    @StateId(PRUNE_AT)
    private final StateSpec<ValueState<Long>> pruneAtSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId(MATCH)
    private final TimerSpec matchSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @TimerId(PRUNE)
    private final TimerSpec pruneSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    private final long latenessMillis;
    private final long ttlMillis;
    private final Counter matched =
        Metrics.counter(
            "quality", MetricLabels.name("responses_matched", "by", LabelledScore.BY_CUSTOMER));
    private final Counter unscored = Metrics.counter("quality", "responses_unscored");
    private final Counter late = Metrics.counter("quality", LATE_COUNTER);

    MatchFn(long latenessMillis, long ttlMillis) {
      this.latenessMillis = latenessMillis;
      this.ttlMillis = ttlMillis;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Arrival> element,
        @Timestamp Instant timestamp,
        @StateId(SCORES) BagState<Score> scores,
        @StateId(PENDING) BagState<LabelledPromo> pending,
        @StateId(EARLIEST_PENDING) ValueState<Long> earliestPending,
        @StateId(CLOSED_THROUGH) ValueState<Long> closedThrough,
        @StateId(PRUNE_AT) ValueState<Long> pruneAt,
        @TimerId(MATCH) Timer match,
        @TimerId(PRUNE) Timer prune,
        MultiOutputReceiver out) {
      long watermark = match.getCurrentRelativeTime().getMillis();
      Score score = element.getValue().score();
      if (score != null) {
        scores.add(score);
        if (pruneAt.read() == null) {
          long at =
              Math.max(TimerTimes.plus(score.eventTime(), latenessMillis), timestamp.getMillis());
          pruneAt.write(at);
          prune
              .withOutputTimestamp(TimerTimes.inGlobalWindow(at))
              .set(TimerTimes.inGlobalWindow(at));
        }
        return;
      }
      LabelledPromo response = Objects.requireNonNull(element.getValue().response());
      long sent = response.getSentTime();
      Long closed = closedThrough.read();
      if ((closed != null && sent <= closed) || TimerTimes.plus(sent, latenessMillis) < watermark) {
        late.inc();
        out.get(LATE)
            .outputWithTimestamp(
                lateLetter(response),
                TimerTimes.inGlobalWindow(Math.max(timestamp.getMillis(), watermark)));
        return;
      }
      if (sent < watermark) {
        emit(response, scores.read(), out, timestamp);
        return;
      }
      pending.add(response);
      Long earliest = earliestPending.read();
      if (earliest == null || sent < earliest) {
        earliestPending.write(sent);
        match
            .withOutputTimestamp(TimerTimes.inGlobalWindow(Math.max(sent, timestamp.getMillis())))
            .set(TimerTimes.inGlobalWindow(Math.max(sent, timestamp.getMillis())));
      }
    }

    @OnTimer(MATCH)
    public void onMatch(
        OnTimerContext context,
        @StateId(SCORES) BagState<Score> scores,
        @StateId(PENDING) BagState<LabelledPromo> pending,
        @StateId(EARLIEST_PENDING) ValueState<Long> earliestPending,
        @TimerId(MATCH) Timer match,
        MultiOutputReceiver out) {
      long watermark =
          Math.max(match.getCurrentRelativeTime().getMillis(), context.fireTimestamp().getMillis());
      List<Score> known = new ArrayList<>();
      scores.read().forEach(known::add);
      List<LabelledPromo> waiting = new ArrayList<>();
      Long next = null;
      for (LabelledPromo r : pending.read()) {
        if (r.getSentTime() <= watermark) {
          emit(
              r,
              known,
              out,
              new Instant(Math.max(r.getSentTime(), context.timestamp().getMillis())));
        } else {
          waiting.add(r);
          next = next == null ? r.getSentTime() : Math.min(next, r.getSentTime());
        }
      }
      pending.clear();
      if (next == null) {
        earliestPending.clear();
        return;
      }
      waiting.forEach(pending::add);
      earliestPending.write(next);
      match
          .withOutputTimestamp(TimerTimes.inGlobalWindow(next))
          .set(TimerTimes.inGlobalWindow(next));
    }

    @OnTimer(PRUNE)
    public void onPrune(
        OnTimerContext context,
        @StateId(SCORES) BagState<Score> scores,
        @StateId(PENDING) BagState<LabelledPromo> pending,
        @StateId(EARLIEST_PENDING) ValueState<Long> earliestPending,
        @StateId(CLOSED_THROUGH) ValueState<Long> closedThrough,
        @StateId(PRUNE_AT) ValueState<Long> pruneAt,
        @TimerId(PRUNE) Timer prune) {
      long fired = context.fireTimestamp().getMillis();
      long watermark = Math.max(prune.getCurrentRelativeTime().getMillis(), fired);
      long closed =
          Math.max(
              TimerTimes.minus(fired, latenessMillis),
              TimerTimes.minus(TimerTimes.minus(watermark, 1), latenessMillis));
      Long previous = closedThrough.read();
      if (previous != null) {
        closed = Math.max(closed, previous);
      }
      List<Score> kept = retained(scores.read(), closed, ttlMillis);
      scores.clear();
      kept.forEach(scores::add);
      if (kept.isEmpty() && earliestPending.read() == null) {
        // Nothing can match again: forget the customer. A response at or before C is still late
        // afterwards, by the watermark test.
        closedThrough.clear();
        pruneAt.clear();
        pending.clear();
        return;
      }
      closedThrough.write(closed);
      long at = TimerTimes.plus(watermark, Math.max(latenessMillis, 1));
      pruneAt.write(at);
      prune.withOutputTimestamp(TimerTimes.inGlobalWindow(at)).set(TimerTimes.inGlobalWindow(at));
    }

    /**
     * Per variant: the scores after {@code closed} and the latest at or before it, unless that one
     * is at least the TTL before {@code closed} (no response still on time can match it).
     */
    static List<Score> retained(Iterable<Score> scores, long closed, long ttlMillis) {
      Map<String, List<Score>> byVariant = byVariant(scores);
      List<Score> kept = new ArrayList<>();
      for (List<Score> list : byVariant.values()) {
        Score latestClosed = null;
        for (Score s : list) {
          if (s.eventTime() > closed) {
            kept.add(s);
          } else {
            latestClosed = s;
          }
        }
        if (latestClosed != null
            && TimerTimes.minus(closed, latestClosed.eventTime()) < ttlMillis) {
          kept.add(latestClosed);
        }
      }
      return kept;
    }

    private static Map<String, List<Score>> byVariant(Iterable<Score> scores) {
      Map<String, List<Score>> byVariant = new HashMap<>();
      for (Score s : scores) {
        byVariant.computeIfAbsent(s.variantKey(), v -> new ArrayList<>()).add(s);
      }
      byVariant.values().forEach(list -> list.sort(BY_TIME));
      return byVariant;
    }

    /** The response's scores, one per variant, or the response as unmatched. */
    private void emit(
        LabelledPromo r, Iterable<Score> scores, MultiOutputReceiver out, Instant timestamp) {
      boolean any = false;
      for (List<Score> list : byVariant(scores).values()) {
        Score found = null;
        for (Score s : list) {
          if (s.eventTime() <= r.getSentTime()) {
            found = s;
          }
        }
        if (found != null && TimerTimes.minus(r.getSentTime(), found.eventTime()) <= ttlMillis) {
          out.get(MATCHED)
              .outputWithTimestamp(
                  new LabelledScore(
                      r.getPromoId(),
                      r.getCustomerKey(),
                      r.getSentTime(),
                      r.getResponded() == 1,
                      found.score(),
                      found.modelName(),
                      found.modelVersion(),
                      found.variant(),
                      LabelledScore.BY_CUSTOMER),
                  timestamp);
          any = true;
        }
      }
      if (any) {
        matched.inc();
        out.get(SCORED).outputWithTimestamp(r, timestamp);
      } else {
        unscored.inc();
        out.get(UNMATCHED).outputWithTimestamp(r, timestamp);
      }
    }

    private DeadLetter lateLetter(LabelledPromo r) {
      return DeadLetters.of(
          Sources.RESPONSES,
          Steps.QUALITY,
          Reasons.LATE_RESPONSE,
          "response arrived after the watermark passed its send time plus the response lateness ("
              + latenessMillis
              + " ms); its day may be closed and its scores pruned",
          r.toString(),
          r.getSentTime());
    }
  }

  /** Matched scores, the responses that got one, those that got none, and the late ones. */
  public static final class Result implements POutput {
    private final Pipeline pipeline;
    private final PCollection<LabelledScore> matched;
    private final PCollection<LabelledPromo> scored;
    private final PCollection<LabelledPromo> unmatched;
    private final PCollection<DeadLetter> late;

    Result(
        Pipeline pipeline,
        PCollection<LabelledScore> matched,
        PCollection<LabelledPromo> scored,
        PCollection<LabelledPromo> unmatched,
        PCollection<DeadLetter> late) {
      this.pipeline = pipeline;
      this.matched = matched;
      this.scored = scored;
      this.unmatched = unmatched;
      this.late = late;
    }

    /**
     * One labelled score per response and variant that scored its customer, stamped with the send
     * time.
     */
    public PCollection<LabelledScore> matched() {
      return matched;
    }

    /** The responses that got at least one score. */
    public PCollection<LabelledPromo> scored() {
      return scored;
    }

    /** The responses whose customer had no score within the TTL at or before the send time. */
    public PCollection<LabelledPromo> unmatched() {
      return unmatched;
    }

    /** Late responses as dead letters, stamped no earlier than the watermark. */
    public PCollection<DeadLetter> late() {
      return late;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return Map.of(MATCHED, matched, SCORED, scored, UNMATCHED, unmatched, LATE, late);
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {}
  }
}
