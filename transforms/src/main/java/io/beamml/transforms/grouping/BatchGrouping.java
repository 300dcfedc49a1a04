package io.beamml.transforms.grouping;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * What the batch per-customer joins (feature rows, training sets) share: one global window
 * fired at the end of the bounded input, grouping by customer shard, and splitting a shard's
 * records back out by customer in a fixed order.
 */
public final class BatchGrouping {

  private BatchGrouping() {}

  /**
   * The global window, fired once at the end of the bounded input; a group keeps its earliest
   * input timestamp, so outputs can be stamped with their own (later) event times.
   */
  public static <T> Window<T> globalWindowKeepingEarliestTimestamp() {
    return Window.<T>into(new GlobalWindows())
        .triggering(DefaultTrigger.of())
        .withAllowedLateness(org.joda.time.Duration.ZERO)
        .discardingFiredPanes()
        .withTimestampCombiner(TimestampCombiner.EARLIEST);
  }

  public static void checkBounded(PCollection<?> collection, String transform, String what) {
    if (collection.isBounded() != PCollection.IsBounded.BOUNDED) {
      throw new IllegalArgumentException(
          transform + " is a batch transform and needs bounded " + what + "; "
              + collection.getName() + " is unbounded");
    }
  }

  /** Re-windows globally and keys each record by the shard of its customer key. */
  public static <T> PCollection<KV<Integer, T>> keyByCustomerShard(
      PCollection<T> input, String what, SerializableFunction<T, String> customerKey, int shards, Coder<T> coder) {
    return input
        .apply("Rewindow" + what + "Globally", BatchGrouping.<T>globalWindowKeepingEarliestTimestamp())
        .apply("Key" + what + "ByCustomerShard",
            WithKeys.of((T record) -> ShardKeys.shardOf(customerKey.apply(record), shards))
                .withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), coder));
  }

  /** A shard's records by customer key, customers in sorted order so output order is fixed. */
  public static <T> Map<String, List<T>> byCustomer(Iterable<T> records, SerializableFunction<T, String> customerKey) {
    Map<String, List<T>> byCustomer = new TreeMap<>();
    for (T record : records) {
      byCustomer.computeIfAbsent(customerKey.apply(record), k -> new ArrayList<>()).add(record);
    }
    return byCustomer;
  }
}
