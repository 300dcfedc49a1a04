package io.beamml.transforms.parse;

import io.beamml.schemas.PromoResponse;

/**
 * The promotion responses CSV: {@code promo_id,customer_id,sent_time,responded}. {@code responded}
 * must be an integer here; that it is 0 or 1 is Validate's rule {@code responded_is_binary}.
 * Failures after {@code sent_time} was read carry it as the event time.
 */
public final class PromoResponseCsvParser extends CsvRecordParser<PromoResponse> {

  private static final long serialVersionUID = 1L;

  public PromoResponseCsvParser() {
    super(PromoResponseFields.NAMES);
  }

  @Override
  PromoResponse read(RecordFields fields) throws ParseFailure {
    return PromoResponseFields.read(fields);
  }
}
