package io.beamml.pipelines.quality;

import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.Prediction;
import java.io.Serializable;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A score a customer got, from a prediction or an audit record: who, when, how much, by which model
 * version and variant, and for which promotion when the scorer was told ({@code promo_id} of audit
 * records written by the serving endpoint).
 */
public record Score(
    String customerKey,
    long eventTime,
    double score,
    String modelName,
    String modelVersion,
    String variant,
    @Nullable String promoId)
    implements Serializable {

  public static Score of(Prediction p) {
    return new Score(
        p.getCustomerKey(),
        p.getEventTime(),
        p.getScore(),
        p.getModelName(),
        p.getModelVersion(),
        p.getVariant(),
        null);
  }

  public static Score of(AuditRecord a) {
    return new Score(
        a.getCustomerKey(),
        a.getEventTime(),
        a.getScore(),
        a.getModelName(),
        a.getModelVersion(),
        a.getVariant(),
        a.getPromoId());
  }

  /** Model and variant: a customer's latest score is looked for per variant. */
  String variantKey() {
    return modelName + ":" + modelVersion + "/" + variant;
  }
}
