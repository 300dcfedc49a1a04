package io.beamml.transforms.parse;

import io.beamml.schemas.PromoResponse;
import java.util.List;

/**
 * Reads a {@link PromoResponse} from its named fields: one definition for the responses CSV and the
 * responses topic, so the two can never disagree.
 */
final class PromoResponseFields {

  static final List<String> NAMES = List.of("promo_id", "customer_id", "sent_time", "responded");

  private PromoResponseFields() {}

  static PromoResponse read(RecordFields fields) throws ParseFailure {
    long sentTime = FieldValues.instantMillis("sent_time", fields.string("sent_time"));
    try {
      return PromoResponse.newBuilder()
          .setPromoId(FieldValues.required("promo_id", fields.string("promo_id")))
          .setCustomerId(FieldValues.required("customer_id", fields.string("customer_id")))
          .setSentTime(sentTime)
          .setResponded(FieldValues.integer("responded", fields.integer("responded")))
          .build();
    } catch (ParseFailure e) {
      throw e.withEventTime(sentTime);
    }
  }
}
