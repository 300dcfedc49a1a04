package io.beamml.pipelines.quality;

import io.beamml.schemas.LabelledPromo;
import io.beamml.training.quality.LabelledScore;
import io.beamml.transforms.grouping.ShardKeys;
import io.beamml.transforms.metrics.MetricLabels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Finds the score each response's customer got for the promotion: the customer's audit records that
 * name the promotion ({@code promo_id}) if there are any, else the customer's latest score at or
 * before the send time; either way one score per model version and variant (a customer split to one
 * variant has one). A response with no score at all leaves as {@link Result#unscored}; every
 * response leaves exactly once, as scored or unscored.
 *
 * <p>Batch only: responses and scores are grouped by a shard of the customer key in the global
 * window and joined in memory per shard (a shard holds its customers' scores), which costs a batch
 * runner one group per shard rather than one per customer. Counters, namespace {@code quality}:
 * {@code responses_matched{by}} and {@code responses_unscored}.
 */
final class MatchScores extends PTransform<PCollection<LabelledPromo>, MatchScores.Result> {

  private static final TupleTag<LabelledScore> MATCHED = new TupleTag<>() {};
  private static final TupleTag<LabelledPromo> SCORED = new TupleTag<>() {};
  private static final TupleTag<LabelledPromo> UNSCORED = new TupleTag<>() {};
  private static final TupleTag<LabelledPromo> RESPONSES = new TupleTag<>() {};
  private static final TupleTag<Score> SCORES = new TupleTag<>() {};

  private final PCollection<Score> scores;
  private final int shards;

  private MatchScores(PCollection<Score> scores, int shards) {
    this.scores = scores;
    this.shards = shards;
  }

  static MatchScores with(PCollection<Score> scores) {
    return new MatchScores(scores, 0);
  }

  /**
   * Groups by this many shards of customers instead of by customer (0): only for the Direct runner,
   * which pays per grouping key (see {@link ShardKeys}); a shard is held in memory.
   */
  MatchScores withShards(int shards) {
    return new MatchScores(scores, shards == 0 ? 0 : ShardKeys.checkShards(shards));
  }

  /** The grouping key of a customer: the customer itself, or its shard. */
  private static SerializableFunction<String, String> groupOf(int shards) {
    return customerKey ->
        shards == 0 ? customerKey : Integer.toString(ShardKeys.shardOf(customerKey, shards));
  }

  @Override
  public Result expand(PCollection<LabelledPromo> responses) {
    // By customer: a group holds one customer's responses and scores, whatever the input size
    // (an audit record names the customer it scored, so its promo id joins inside the group too).
    SerializableFunction<String, String> group = groupOf(shards);
    PCollection<KV<String, LabelledPromo>> responsesByCustomer =
        responses
            .apply(
                "KeyResponsesByCustomer",
                WithKeys.of((LabelledPromo r) -> group.apply(r.getCustomerKey()))
                    .withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.specific(LabelledPromo.class)));
    PCollection<KV<String, Score>> scoresByCustomer =
        scores
            .apply(
                "KeyScoresByCustomer",
                WithKeys.of((Score sc) -> group.apply(sc.customerKey()))
                    .withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(Score.class)));
    PCollectionTuple joined =
        KeyedPCollectionTuple.of(RESPONSES, responsesByCustomer)
            .and(SCORES, scoresByCustomer)
            .apply("JoinByCustomer", CoGroupByKey.create())
            .apply(
                "MatchScoreToResponse",
                ParDo.of(new MatchFn())
                    .withOutputTags(MATCHED, TupleTagList.of(SCORED).and(UNSCORED)));
    return new Result(
        responses.getPipeline(),
        joined.get(MATCHED).setCoder(SerializableCoder.of(LabelledScore.class)),
        joined.get(SCORED).setCoder(AvroCoder.specific(LabelledPromo.class)),
        joined.get(UNSCORED).setCoder(AvroCoder.specific(LabelledPromo.class)));
  }

  /**
   * Later last; at equal times the higher score last, so the choice never depends on input order.
   */
  private static final Comparator<Score> BY_TIME =
      Comparator.comparingLong(Score::eventTime).thenComparingDouble(Score::score);

  private static final class MatchFn extends DoFn<KV<String, CoGbkResult>, LabelledScore> {
    private final Counter byPromo =
        Metrics.counter(
            "quality", MetricLabels.name("responses_matched", "by", LabelledScore.BY_PROMO));
    private final Counter latestOfCustomer =
        Metrics.counter(
            "quality", MetricLabels.name("responses_matched", "by", LabelledScore.BY_CUSTOMER));
    private final Counter unscored = Metrics.counter("quality", "responses_unscored");

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> group, MultiOutputReceiver out) {
      Iterable<LabelledPromo> responses = group.getValue().getAll(RESPONSES);
      if (!responses.iterator().hasNext()) {
        return;
      }
      // customer -> variant -> scores by time; promo -> variant -> latest audit score naming it
      Map<String, Map<String, List<Score>>> byCustomer = new HashMap<>();
      Map<String, Map<String, Score>> byPromoId = new HashMap<>();
      for (Score s : group.getValue().getAll(SCORES)) {
        byCustomer
            .computeIfAbsent(s.customerKey(), c -> new HashMap<>())
            .computeIfAbsent(s.variantKey(), v -> new ArrayList<>())
            .add(s);
        if (s.promoId() != null) {
          byPromoId
              .computeIfAbsent(s.promoId(), p -> new HashMap<>())
              .merge(s.variantKey(), s, (a, b) -> BY_TIME.compare(a, b) >= 0 ? a : b);
        }
      }
      byCustomer
          .values()
          .forEach(variants -> variants.values().forEach(list -> list.sort(BY_TIME)));
      for (LabelledPromo r : responses) {
        Map<String, Score> named = byPromoId.get(r.getPromoId());
        if (named != null) {
          named
              .values()
              .forEach(s -> out.get(MATCHED).output(labelled(r, s, LabelledScore.BY_PROMO)));
          byPromo.inc();
          out.get(SCORED).output(r);
          continue;
        }
        boolean any = false;
        for (List<Score> list : byCustomer.getOrDefault(r.getCustomerKey(), Map.of()).values()) {
          Score s = latestAtOrBefore(list, r.getSentTime());
          if (s != null) {
            out.get(MATCHED).output(labelled(r, s, LabelledScore.BY_CUSTOMER));
            any = true;
          }
        }
        if (any) {
          latestOfCustomer.inc();
          out.get(SCORED).output(r);
        } else {
          unscored.inc();
          out.get(UNSCORED).output(r);
        }
      }
    }

    private static LabelledScore labelled(LabelledPromo r, Score s, String by) {
      return new LabelledScore(
          r.getPromoId(),
          r.getCustomerKey(),
          r.getSentTime(),
          r.getResponded() == 1,
          s.score(),
          s.modelName(),
          s.modelVersion(),
          s.variant(),
          by);
    }

    /** The last score at or before {@code time} in a list sorted by {@link #BY_TIME}. */
    private static Score latestAtOrBefore(List<Score> sorted, long time) {
      int lo = 0;
      int hi = sorted.size() - 1;
      Score found = null;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (sorted.get(mid).eventTime() <= time) {
          found = sorted.get(mid);
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return found;
    }
  }

  /** Scores matched to responses, the responses that got one, and those that got none. */
  static final class Result implements POutput {
    private final Pipeline pipeline;
    final PCollection<LabelledScore> matched;
    final PCollection<LabelledPromo> scored;
    final PCollection<LabelledPromo> unscored;

    Result(
        Pipeline pipeline,
        PCollection<LabelledScore> matched,
        PCollection<LabelledPromo> scored,
        PCollection<LabelledPromo> unscored) {
      this.pipeline = pipeline;
      this.matched = matched;
      this.scored = scored;
      this.unscored = unscored;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return Map.of(MATCHED, matched, SCORED, scored, UNSCORED, unscored);
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {}
  }
}
