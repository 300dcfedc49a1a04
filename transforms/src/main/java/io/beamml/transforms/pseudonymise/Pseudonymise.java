package io.beamml.transforms.pseudonymise;

import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.Order;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import io.beamml.transforms.coders.SpecificRecordCoder;
import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Replaces the raw customer id with its keyed pseudonym and keeps only the fields later steps need.
 * The output types have no field for the raw id, product, session, currency or quantity, so none of
 * them can travel past this step. Element timestamps are kept.
 */
public final class Pseudonymise<InputT, OutputT>
    extends PTransform<PCollection<InputT>, PCollection<OutputT>> {

  /** Builds one output record from one input record and the pseudonymiser. */
  private interface Mapping<InputT, OutputT> extends Serializable {
    OutputT apply(InputT input, Pseudonymiser pseudonymiser);
  }

  /** {@code event_type} of an order in {@link CustomerEvent}. */
  public static final String ORDER_EVENT_TYPE = "order";

  private final HmacKey key;
  private final Class<OutputT> outputClass;
  private final Mapping<InputT, OutputT> mapping;

  private Pseudonymise(HmacKey key, Class<OutputT> outputClass, Mapping<InputT, OutputT> mapping) {
    this.key = Objects.requireNonNull(key, "key");
    this.outputClass = outputClass;
    this.mapping = mapping;
  }

  /** Clicks to customer events: the click's type and channel by name, its price as amount. */
  public static Pseudonymise<ClickEvent, CustomerEvent> clicks(HmacKey key) {
    return new Pseudonymise<>(key, CustomerEvent.class, Pseudonymise::clickEvent);
  }

  /** Orders to customer events of type {@value #ORDER_EVENT_TYPE}, without a channel. */
  public static Pseudonymise<Order, CustomerEvent> orders(HmacKey key) {
    return new Pseudonymise<>(key, CustomerEvent.class, Pseudonymise::orderEvent);
  }

  public static Pseudonymise<Profile, CustomerProfile> profiles(HmacKey key) {
    return new Pseudonymise<>(key, CustomerProfile.class, Pseudonymise::customerProfile);
  }

  public static Pseudonymise<PromoResponse, LabelledPromo> responses(HmacKey key) {
    return new Pseudonymise<>(key, LabelledPromo.class, Pseudonymise::labelledPromo);
  }

  @Override
  public PCollection<OutputT> expand(PCollection<InputT> input) {
    return input
        .apply("ReplaceCustomerIdWithKey", ParDo.of(new PseudonymiseFn<>(key, mapping)))
        .setCoder(SpecificRecordCoder.ofRecordClass(outputClass));
  }

  private static CustomerEvent clickEvent(ClickEvent click, Pseudonymiser pseudonymiser) {
    return CustomerEvent.newBuilder()
        .setEventId(click.getEventId())
        .setCustomerKey(pseudonymiser.pseudonym(click.getCustomerId()))
        .setEventType(click.getEventType().name())
        .setEventTime(click.getEventTime())
        .setAmount(click.getPrice())
        .setChannel(click.getChannel().name())
        .build();
  }

  private static CustomerEvent orderEvent(Order order, Pseudonymiser pseudonymiser) {
    return CustomerEvent.newBuilder()
        .setEventId(order.getOrderId())
        .setCustomerKey(pseudonymiser.pseudonym(order.getCustomerId()))
        .setEventType(ORDER_EVENT_TYPE)
        .setEventTime(order.getOrderTime())
        .setAmount(order.getAmount())
        .setChannel(null)
        .build();
  }

  private static CustomerProfile customerProfile(Profile profile, Pseudonymiser pseudonymiser) {
    return CustomerProfile.newBuilder()
        .setCustomerKey(pseudonymiser.pseudonym(profile.getCustomerId()))
        .setAge(profile.getAge())
        .setGender(profile.getGender())
        .setCountry(profile.getCountry())
        .setSignupDate(profile.getSignupDate())
        .build();
  }

  private static LabelledPromo labelledPromo(PromoResponse response, Pseudonymiser pseudonymiser) {
    return LabelledPromo.newBuilder()
        .setPromoId(response.getPromoId())
        .setCustomerKey(pseudonymiser.pseudonym(response.getCustomerId()))
        .setSentTime(response.getSentTime())
        .setResponded(response.getResponded())
        .build();
  }

  private static final class PseudonymiseFn<InputT, OutputT> extends DoFn<InputT, OutputT> {
    private final HmacKey key;
    private final Mapping<InputT, OutputT> mapping;
    private transient Pseudonymiser pseudonymiser;

    PseudonymiseFn(HmacKey key, Mapping<InputT, OutputT> mapping) {
      this.key = key;
      this.mapping = mapping;
    }

    @Setup
    public void setup() {
      pseudonymiser = new Pseudonymiser(key);
    }

    @ProcessElement
    public void processElement(@Element InputT input, OutputReceiver<OutputT> out) {
      out.output(mapping.apply(input, pseudonymiser));
    }
  }
}
