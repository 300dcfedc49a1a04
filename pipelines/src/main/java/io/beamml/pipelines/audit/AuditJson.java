package io.beamml.pipelines.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.Contribution;

/**
 * The JSON Lines rendering of an audit record: flat, times as ISO-8601 UTC, contributions by
 * feature name, in the style of {@link JsonRecords}.
 */
public final class AuditJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private AuditJson() {}

  public static String render(AuditRecord a) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("event_id", a.getEventId());
    node.put("customer_key", a.getCustomerKey());
    node.put("model_name", a.getModelName());
    node.put("model_version", a.getModelVersion());
    node.put("variant", a.getVariant());
    node.put("spec_fingerprint", a.getSpecFingerprint());
    node.put("score", a.getScore());
    node.put("event_time", JsonRecords.iso(a.getEventTime()));
    node.put("scoring_time", JsonRecords.iso(a.getScoringTime()));
    node.put("run_id", a.getRunId());
    if (a.getPromoId() != null) {
      node.put("promo_id", a.getPromoId());
    }
    if (a.getContributions() != null) {
      ObjectNode contributions = node.putObject("contributions");
      for (Contribution c : a.getContributions()) {
        contributions.put(c.getFeature(), c.getValue());
      }
    }
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render audit record as JSON", e);
    }
  }
}
