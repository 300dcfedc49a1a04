package io.beamml.transforms.grouping;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.LabelledPromo;
import io.beamml.transforms.coders.SpecificRecordCoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.transforms.join.UnionCoder;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * The one per-customer grouping of the batch joins (feature rows, point-in-time training sets):
 * events, profiles and promotions grouped by their customer_key in the global window, fired once at
 * the end of the bounded input. Grouping by the real key spreads the work over as many workers as
 * there are customers and holds no more than one customer's records at a time; read a group with
 * {@link CustomerGroup}, which reads it exactly once.
 *
 * <p>It is one {@code GroupByKey} of the three record kinds tagged by kind ({@link RawUnionValue},
 * as {@code CoGroupByKey} does inside), not a {@code CoGroupByKey}: a {@code CoGbkResult} may
 * iterate a group twice, which keeps Flink's batch runner on a combine-then-reduce translation that
 * sorts every record twice and encodes a list per customer in between. Read once and stamped at the
 * window's end ({@link #globalWindowFiredOnce}), the group is one sort and one reduce.
 */
public final class GroupByCustomer
    extends PTransform<CustomerInputs, PCollection<KV<String, Iterable<RawUnionValue>>>> {

  /** Union tags of the grouped records, in {@link #RECORD_CODER}'s order. */
  static final int EVENT = 0;

  static final int PROFILE = 1;
  static final int PROMO = 2;

  /** Coder of one tagged record. */
  static final UnionCoder RECORD_CODER =
      UnionCoder.of(
          List.of(
              SpecificRecordCoder.of(CustomerEvent.class),
              SpecificRecordCoder.of(CustomerProfile.class),
              SpecificRecordCoder.of(LabelledPromo.class)));

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
   * The global window, fired once at the end of the bounded input, groups stamped at the window's
   * end: the one timestamp combiner Flink's batch runner groups with a single sort, without a
   * pre-shuffle combine that builds and encodes a list per customer first. Consumers stamp what
   * they emit with its own event or send time.
   */
  public static <T> Window<T> globalWindowFiredOnce() {
    return Window.<T>into(new GlobalWindows())
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(org.joda.time.Duration.ZERO)
        .discardingFiredPanes()
        .withTimestampCombiner(TimestampCombiner.END_OF_WINDOW);
  }

  @Override
  public PCollection<KV<String, Iterable<RawUnionValue>>> expand(CustomerInputs input) {
    List<PCollection<CustomerEvent>> events = input.events();
    PCollectionList<RawUnionValue> records = PCollectionList.empty(input.getPipeline());
    for (int i = 0; i < events.size(); i++) {
      // One source keeps the step names of a single events input.
      records =
          records.and(tagged(events.get(i), events.size() == 1 ? "Events" : "Events" + i, EVENT));
    }
    records = records.and(tagged(input.profiles(), "Profiles", PROFILE));
    if (input.hasPromos()) {
      records = records.and(tagged(input.promos(), "Promos", PROMO));
    }
    PCollection<RawUnionValue> all =
        records.apply("FlattenCustomerRecords", Flatten.pCollections()).setCoder(RECORD_CODER);
    Coder<KV<String, Iterable<RawUnionValue>>> groupCoder =
        KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(RECORD_CODER));
    if (shards > 0) {
      int n = shards;
      return all.apply(
              "KeyByCustomerShard",
              ParDo.of(new KeyFn<>(r -> ShardKeys.shardOf(customerKeyOf(r), n))))
          .setCoder(KvCoder.of(VarIntCoder.of(), RECORD_CODER))
          .apply("GroupByCustomerShard", GroupByKey.create())
          .apply("SplitShardByCustomer", ParDo.of(new SplitShardFn()))
          .setCoder(groupCoder);
    }
    return all.apply("KeyByCustomer", ParDo.of(new KeyFn<>(GroupByCustomer::customerKeyOf)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), RECORD_CODER))
        .apply("GroupByCustomerKey", GroupByKey.create())
        .setCoder(groupCoder);
  }

  /** The customer_key of a tagged record. */
  static String customerKeyOf(RawUnionValue record) {
    switch (record.getUnionTag()) {
      case EVENT:
        return ((CustomerEvent) record.getValue()).getCustomerKey();
      case PROFILE:
        return ((CustomerProfile) record.getValue()).getCustomerKey();
      case PROMO:
        return ((LabelledPromo) record.getValue()).getCustomerKey();
      default:
        throw new IllegalArgumentException("not a customer record tag: " + record.getUnionTag());
    }
  }

  private <T> PCollection<RawUnionValue> tagged(PCollection<T> records, String what, int tag) {
    checkBounded(records, what);
    // Each input is rewindowed before the flatten, which needs one windowing for all of them.
    return records
        .apply("Rewindow" + what + "Globally", GroupByCustomer.<T>globalWindowFiredOnce())
        .apply("Tag" + what, ParDo.of(new TagFn<T>(tag)))
        .setCoder(RECORD_CODER);
  }

  private static final class TagFn<T> extends DoFn<T, RawUnionValue> {
    private final int tag;

    TagFn(int tag) {
      this.tag = tag;
    }

    @ProcessElement
    public void processElement(@Element T record, OutputReceiver<RawUnionValue> out) {
      out.output(new RawUnionValue(tag, record));
    }
  }

  private static final class KeyFn<K> extends DoFn<RawUnionValue, KV<K, RawUnionValue>> {
    private final SerializableFunction<RawUnionValue, K> key;

    KeyFn(SerializableFunction<RawUnionValue, K> key) {
      this.key = key;
    }

    @ProcessElement
    public void processElement(
        @Element RawUnionValue record, OutputReceiver<KV<K, RawUnionValue>> out) {
      out.output(KV.of(key.apply(record), record));
    }
  }

  /** A shard's records by customer, customers in sorted order so output order is fixed. */
  private static final class SplitShardFn
      extends DoFn<KV<Integer, Iterable<RawUnionValue>>, KV<String, Iterable<RawUnionValue>>> {

    @ProcessElement
    public void processElement(
        @Element KV<Integer, Iterable<RawUnionValue>> shard,
        OutputReceiver<KV<String, Iterable<RawUnionValue>>> out) {
      Map<String, List<RawUnionValue>> byCustomer = new TreeMap<>();
      for (RawUnionValue record : shard.getValue()) {
        byCustomer.computeIfAbsent(customerKeyOf(record), k -> new ArrayList<>()).add(record);
      }
      for (Map.Entry<String, List<RawUnionValue>> customer : byCustomer.entrySet()) {
        out.output(KV.of(customer.getKey(), customer.getValue()));
      }
    }
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
