package io.beamml.transforms.parse;

import io.beamml.schemas.PromoResponse;
import java.util.List;

/**
 * The promotion responses CSV: {@code promo_id,customer_id,sent_time,responded}. {@code responded}
 * must be an integer here; that it is 0 or 1 is Validate's rule {@code responded_is_binary}.
 * Failures after {@code sent_time} was read carry it as the event time.
 */
public final class PromoResponseCsvParser extends CsvRecordParser<PromoResponse> {

  private static final long serialVersionUID = 1L;

  public PromoResponseCsvParser() {
    super(List.of("promo_id", "customer_id", "sent_time", "responded"));
  }

  @Override
  PromoResponse read(RecordFields fields) throws ParseFailure {
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
