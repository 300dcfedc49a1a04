package io.beamml.transforms.pseudonymise;

import static io.beamml.transforms.pseudonymise.HmacTesting.KEY;
import static io.beamml.transforms.pseudonymise.HmacTesting.hmacHex;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import io.beamml.schemas.Channel;
import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.ClickType;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.Order;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import io.beamml.transforms.coders.SpecificRecordCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class PseudonymiseTest {

  private static final String RAW_ID = "cust-0042";
  private static final String OTHER_ID = "cust-0099";
  private static final long T = Instant.parse("2026-03-01T10:00:00Z").getMillis();

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private final HmacKey key = HmacKey.ofBytes(KEY);

  @Test
  public void clicksBecomeCustomerEventsKeyedByHmacWithTimestampsKept() {
    ClickEvent withPrice = click("e1", RAW_ID, ClickType.add_to_cart, 12.5, Channel.app, T);
    ClickEvent withoutPrice = click("e2", OTHER_ID, ClickType.view, null, Channel.email, T + 1000);
    PCollection<CustomerEvent> events =
        pipeline
            .apply(
                "CreateClicks",
                Create.timestamped(
                        TimestampedValue.of(withPrice, new Instant(T)),
                        TimestampedValue.of(withoutPrice, new Instant(T + 1000)))
                    .withCoder(AvroCoder.specific(ClickEvent.class)))
            .apply("Pseudonymise", Pseudonymise.clicks(key));

    assertEquals(SpecificRecordCoder.of(CustomerEvent.class), events.getCoder());
    CustomerEvent first = customerEvent("e1", hmacHex(KEY, RAW_ID), "add_to_cart", T, 12.5, "app");
    CustomerEvent second =
        customerEvent("e2", hmacHex(KEY, OTHER_ID), "view", T + 1000, null, "email");
    PAssert.that(events.apply("Reify", Reify.timestamps()))
        .containsInAnyOrder(
            TimestampedValue.of(first, new Instant(T)),
            TimestampedValue.of(second, new Instant(T + 1000)));
    assertRawIdsAbsent(events);

    pipeline.run().waitUntilFinish();
  }

  @Test
  public void ordersBecomeOrderEventsWithoutChannelOrProductDetails() {
    Order order =
        Order.newBuilder()
            .setOrderId("o1")
            .setCustomerId(RAW_ID)
            .setProductId("p-7")
            .setQuantity(3)
            .setAmount(59.97)
            .setCurrency("EUR")
            .setOrderTime(T)
            .build();
    PCollection<CustomerEvent> events =
        pipeline
            .apply(
                "CreateOrders",
                Create.timestamped(TimestampedValue.of(order, new Instant(T)))
                    .withCoder(AvroCoder.specific(Order.class)))
            .apply("Pseudonymise", Pseudonymise.orders(key));

    PAssert.that(events.apply("Reify", Reify.timestamps()))
        .containsInAnyOrder(
            TimestampedValue.of(
                customerEvent("o1", hmacHex(KEY, RAW_ID), "order", T, 59.97, null),
                new Instant(T)));
    assertRawIdsAbsent(events);

    pipeline.run().waitUntilFinish();
  }

  @Test
  public void profilesAndResponsesShareTheSameCustomerKey() {
    Profile profile =
        Profile.newBuilder()
            .setCustomerId(RAW_ID)
            .setAge(41)
            .setGender("f")
            .setCountry("DE")
            .setSignupDate(19000)
            .build();
    PromoResponse response =
        PromoResponse.newBuilder()
            .setPromoId("promo-1")
            .setCustomerId(RAW_ID)
            .setSentTime(T)
            .setResponded(1)
            .build();
    PCollection<CustomerProfile> profiles =
        pipeline
            .apply(
                "CreateProfiles", Create.of(profile).withCoder(AvroCoder.specific(Profile.class)))
            .apply("PseudonymiseProfiles", Pseudonymise.profiles(key));
    PCollection<LabelledPromo> promos =
        pipeline
            .apply(
                "CreateResponses",
                Create.of(response).withCoder(AvroCoder.specific(PromoResponse.class)))
            .apply("PseudonymiseResponses", Pseudonymise.responses(key));

    assertEquals(SpecificRecordCoder.of(CustomerProfile.class), profiles.getCoder());
    assertEquals(SpecificRecordCoder.of(LabelledPromo.class), promos.getCoder());
    String customerKey = hmacHex(KEY, RAW_ID);
    PAssert.that(profiles)
        .containsInAnyOrder(
            CustomerProfile.newBuilder()
                .setCustomerKey(customerKey)
                .setAge(41)
                .setGender("f")
                .setCountry("DE")
                .setSignupDate(19000)
                .build());
    PAssert.that(promos)
        .containsInAnyOrder(
            LabelledPromo.newBuilder()
                .setPromoId("promo-1")
                .setCustomerKey(customerKey)
                .setSentTime(T)
                .setResponded(1)
                .build());
    assertRawIdsAbsent(profiles);
    assertRawIdsAbsent(promos);

    pipeline.run().waitUntilFinish();
  }

  /** Renders every output record and checks no raw customer id survives anywhere in it. */
  private static <T> void assertRawIdsAbsent(PCollection<T> records) {
    PAssert.that(records)
        .satisfies(
            all -> {
              for (T record : all) {
                String rendered = record.toString();
                assertFalse(rendered, rendered.contains(RAW_ID));
                assertFalse(rendered, rendered.contains(OTHER_ID));
              }
              return null;
            });
  }

  private static ClickEvent click(
      String eventId, String customerId, ClickType type, Double price, Channel channel, long time) {
    return ClickEvent.newBuilder()
        .setEventId(eventId)
        .setCustomerId(customerId)
        .setEventType(type)
        .setProductId("p-1")
        .setPrice(price)
        .setEventTime(time)
        .setSessionId("s-1")
        .setChannel(channel)
        .build();
  }

  private static CustomerEvent customerEvent(
      String eventId, String customerKey, String type, long time, Double amount, String channel) {
    return CustomerEvent.newBuilder()
        .setEventId(eventId)
        .setCustomerKey(customerKey)
        .setEventType(type)
        .setEventTime(time)
        .setAmount(amount)
        .setChannel(channel)
        .build();
  }
}
