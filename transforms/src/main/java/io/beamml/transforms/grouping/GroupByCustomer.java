package io.beamml.transforms.grouping;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.LabelledPromo;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.PTransform;
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
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The one per-customer grouping of the batch joins (feature rows, point-in-time training sets):
 * events, profiles and promotions grouped by their customer_key in the global window, fired once
 * at the end of the bounded input. Grouping by the real key spreads the work over as many
 * workers as there are customers and holds no more than one customer's records at a time; read a
 * group with {@link CustomerGroup}.
 *
 * <p>Each group keeps its earliest input timestamp, so consumers may stamp outputs with their own
 * (later) event times.
 */
public final class GroupByCustomer
    extends PTransform<CustomerInputs, PCollection<KV<String, CoGbkResult>>> {

  private final String transform;

  private GroupByCustomer(String transform) {
    this.transform = transform;
  }

  /** {@code transform} names the batch transform using it, in the error for unbounded input. */
  public static GroupByCustomer forTransform(String transform) {
    return new GroupByCustomer(transform);
  }

  /**
   * The global window, fired once at the end of the bounded input; a group keeps its earliest
   * input timestamp.
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
    KeyedPCollectionTuple<String> tuple =
        KeyedPCollectionTuple.of(CustomerInputs.EVENTS, keyed(input.events(), "Events",
                CustomerEvent::getCustomerKey, AvroCoder.specific(CustomerEvent.class)))
            .and(CustomerInputs.PROFILES, keyed(input.profiles(), "Profiles",
                CustomerProfile::getCustomerKey, AvroCoder.specific(CustomerProfile.class)));
    if (input.hasPromos()) {
      tuple = tuple.and(CustomerInputs.PROMOS, keyed(input.promos(), "Promos",
          LabelledPromo::getCustomerKey, AvroCoder.specific(LabelledPromo.class)));
    }
    return tuple.apply("GroupByCustomerKey", CoGroupByKey.create());
  }

  private <T> PCollection<KV<String, T>> keyed(
      PCollection<T> records, String what, SerializableFunction<T, String> customerKey, Coder<T> coder) {
    if (records.isBounded() != PCollection.IsBounded.BOUNDED) {
      throw new IllegalArgumentException(
          transform + " is a batch transform and needs bounded " + what.toLowerCase() + "; "
              + records.getName() + " is unbounded");
    }
    return records
        .apply("Rewindow" + what + "Globally", GroupByCustomer.<T>globalWindowKeepingEarliestTimestamp())
        .apply("Key" + what + "ByCustomer", WithKeys.of(customerKey).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), coder));
  }
}
