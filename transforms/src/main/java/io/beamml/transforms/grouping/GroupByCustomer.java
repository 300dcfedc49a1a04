package io.beamml.transforms.grouping;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.LabelledPromo;
import io.beamml.transforms.coders.SpecificRecordCoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The one per-customer grouping of the batch joins (feature rows, point-in-time training sets):
 * events, profiles and promotions grouped by their customer_key in the global window, fired once at
 * the end of the bounded input. Grouping by the real key spreads the work over as many workers as
 * there are customers and holds no more than one customer's records at a time; read a group with
 * {@link CustomerGroup}.
 *
 * <p>Each group keeps its earliest input timestamp, so consumers may stamp outputs with their own
 * (later) event times. (That timestamp combiner also keeps Flink's batch runner on its combining
 * translation, whose groups can be iterated again: {@code CoGbkResult} re-reads a group past its
 * first 10,000 records, which Flink's plain sort-and-reduce of a group, used with the default
 * combiner, does not allow. Batch dedup, whose groups are read once, uses the plain one.)
 */
public final class GroupByCustomer
    extends PTransform<CustomerInputs, PCollection<KV<String, CoGbkResult>>> {

  private final String transform;
  private final int shards;

  private GroupByCustomer(String transform, int shards) {
    this.transform = transform;
    this.shards = shards;
  }

  /** {@code transform} names the batch transform using it, in the error for unbounded input. */
  public static GroupByCustomer forTransform(String transform) {
    return new GroupByCustomer(transform, 0);
  }

  /**
   * For the Direct runner only (see {@link ShardKeys}): group customers into this many shards, each
   * held in memory and then split by customer, instead of by customer; 0, the default, groups by
   * customer. The output is the same.
   */
  public GroupByCustomer withShards(int shards) {
    return new GroupByCustomer(transform, ShardKeys.checkShards(shards));
  }

  /**
   * The global window, fired once at the end of the bounded input; a group keeps its earliest input
   * timestamp.
   */
  public static <T> Window<T> globalWindowKeepingEarliestTimestamp() {
    return Window.<T>into(new GlobalWindows())
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(org.joda.time.Duration.ZERO)
        .discardingFiredPanes()
        .withTimestampCombiner(TimestampCombiner.EARLIEST);
  }

  @Override
  public PCollection<KV<String, CoGbkResult>> expand(CustomerInputs input) {
    if (shards > 0) {
      return expandSharded(input);
    }
    KeyedPCollectionTuple<String> tuple =
        KeyedPCollectionTuple.of(
                CustomerInputs.EVENTS,
                keyed(
                    input.events(),
                    "Events",
                    CustomerEvent::getCustomerKey,
                    SpecificRecordCoder.of(CustomerEvent.class)))
            .and(
                CustomerInputs.PROFILES,
                keyed(
                    input.profiles(),
                    "Profiles",
                    CustomerProfile::getCustomerKey,
                    SpecificRecordCoder.of(CustomerProfile.class)));
    if (input.hasPromos()) {
      tuple =
          tuple.and(
              CustomerInputs.PROMOS,
              keyed(
                  input.promos(),
                  "Promos",
                  LabelledPromo::getCustomerKey,
                  SpecificRecordCoder.of(LabelledPromo.class)));
    }
    return tuple.apply("GroupByCustomerKey", CoGroupByKey.create());
  }

  private PCollection<KV<String, CoGbkResult>> expandSharded(CustomerInputs input) {
    int n = shards;
    KeyedPCollectionTuple<Integer> tuple =
        KeyedPCollectionTuple.of(
                CustomerInputs.EVENTS,
                sharded(
                    input.events(),
                    "Events",
                    (CustomerEvent e) -> ShardKeys.shardOf(e.getCustomerKey(), n),
                    SpecificRecordCoder.of(CustomerEvent.class)))
            .and(
                CustomerInputs.PROFILES,
                sharded(
                    input.profiles(),
                    "Profiles",
                    (CustomerProfile p) -> ShardKeys.shardOf(p.getCustomerKey(), n),
                    SpecificRecordCoder.of(CustomerProfile.class)));
    if (input.hasPromos()) {
      tuple =
          tuple.and(
              CustomerInputs.PROMOS,
              sharded(
                  input.promos(),
                  "Promos",
                  (LabelledPromo p) -> ShardKeys.shardOf(p.getCustomerKey(), n),
                  SpecificRecordCoder.of(LabelledPromo.class)));
    }
    PCollection<KV<Integer, CoGbkResult>> grouped =
        tuple.apply("GroupByCustomerShard", CoGroupByKey.create());
    Coder<CoGbkResult> resultCoder =
        ((KvCoder<Integer, CoGbkResult>) grouped.getCoder()).getValueCoder();
    return grouped
        .apply("SplitShardByCustomer", ParDo.of(new SplitShardFn(input.hasPromos())))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), resultCoder));
  }

  /** A shard's records by customer, customers in sorted order so output order is fixed. */
  private static final class SplitShardFn
      extends DoFn<KV<Integer, CoGbkResult>, KV<String, CoGbkResult>> {
    private final boolean hasPromos;

    SplitShardFn(boolean hasPromos) {
      this.hasPromos = hasPromos;
    }

    @ProcessElement
    public void processElement(
        @Element KV<Integer, CoGbkResult> shard, OutputReceiver<KV<String, CoGbkResult>> out) {
      Map<String, List<CustomerEvent>> events =
          byCustomer(shard.getValue().getAll(CustomerInputs.EVENTS), CustomerEvent::getCustomerKey);
      Map<String, List<CustomerProfile>> profiles =
          byCustomer(
              shard.getValue().getAll(CustomerInputs.PROFILES), CustomerProfile::getCustomerKey);
      Map<String, List<LabelledPromo>> promos =
          hasPromos
              ? byCustomer(
                  shard.getValue().getAll(CustomerInputs.PROMOS), LabelledPromo::getCustomerKey)
              : Map.of();
      TreeSet<String> customers = new TreeSet<>(events.keySet());
      customers.addAll(profiles.keySet());
      customers.addAll(promos.keySet());
      for (String customer : customers) {
        CoGbkResult result =
            CoGbkResult.of(CustomerInputs.EVENTS, events.getOrDefault(customer, List.of()))
                .and(CustomerInputs.PROFILES, profiles.getOrDefault(customer, List.of()));
        if (hasPromos) {
          result = result.and(CustomerInputs.PROMOS, promos.getOrDefault(customer, List.of()));
        }
        out.output(KV.of(customer, result));
      }
    }

    private static <T> Map<String, List<T>> byCustomer(
        Iterable<T> records, SerializableFunction<T, String> customerKey) {
      Map<String, List<T>> byCustomer = new HashMap<>();
      for (T record : records) {
        byCustomer.computeIfAbsent(customerKey.apply(record), k -> new ArrayList<>()).add(record);
      }
      return byCustomer;
    }
  }

  private <T> PCollection<KV<String, T>> keyed(
      PCollection<T> records,
      String what,
      SerializableFunction<T, String> customerKey,
      Coder<T> coder) {
    return keyed(
        records,
        what,
        "ByCustomer",
        customerKey,
        coder,
        StringUtf8Coder.of(),
        TypeDescriptors.strings());
  }

  private <T> PCollection<KV<Integer, T>> sharded(
      PCollection<T> records, String what, SerializableFunction<T, Integer> shard, Coder<T> coder) {
    return keyed(
        records,
        what,
        "ByCustomerShard",
        shard,
        coder,
        VarIntCoder.of(),
        TypeDescriptors.integers());
  }

  private <K, T> PCollection<KV<K, T>> keyed(
      PCollection<T> records,
      String what,
      String by,
      SerializableFunction<T, K> key,
      Coder<T> coder,
      Coder<K> keyCoder,
      TypeDescriptor<K> keyType) {
    checkBounded(records, what);
    return records
        .apply(
            "Rewindow" + what + "Globally",
            GroupByCustomer.<T>globalWindowKeepingEarliestTimestamp())
        .apply("Key" + what + by, WithKeys.of(key).withKeyType(keyType))
        .setCoder(KvCoder.of(keyCoder, coder));
  }

  private void checkBounded(PCollection<?> records, String what) {
    if (records.isBounded() != PCollection.IsBounded.BOUNDED) {
      throw new IllegalArgumentException(
          transform
              + " is a batch transform and needs bounded "
              + what.toLowerCase()
              + "; "
              + records.getName()
              + " is unbounded");
    }
  }
}
