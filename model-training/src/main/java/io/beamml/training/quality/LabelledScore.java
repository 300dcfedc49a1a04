package io.beamml.training.quality;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * One promotion response with the score its customer got for it, and the model version and variant
 * that gave the score. {@code matchedBy} says how the score was found ({@value #BY_PROMO}: the
 * serving audit record of this promotion; {@value #BY_CUSTOMER}: the customer's latest prediction
 * at or before the send time).
 */
public record LabelledScore(
    String promoId,
    String customerKey,
    long sentTime,
    boolean responded,
    double score,
    String modelName,
    String modelVersion,
    String variant,
    String matchedBy)
    implements Serializable {

  public static final String BY_PROMO = "promo_id";
  public static final String BY_CUSTOMER = "latest_prediction";

  /** The UTC day of the send time, the day the response is measured in. */
  public String day() {
    return day(sentTime);
  }

  public static String day(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate().toString();
  }

  public QualityKey key() {
    return new QualityKey(day(), modelName, modelVersion, variant);
  }
}
