package io.beamml.pipelines.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.schemas.DriftRecord;

/**
 * The JSON Lines rendering of a drift record, in the style of {@link JsonRecords}: flat, window
 * bounds as ISO-8601 UTC (null for a batch run), so each line loads as one table row.
 */
public final class DriftRecordJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DriftRecordJson() {}

  public static String render(DriftRecord r) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("feature", r.getFeature());
    node.put("statistic", r.getStatistic());
    node.put("value", r.getValue());
    node.put("threshold", r.getThreshold());
    if (r.getPValue() == null) {
      node.putNull("p_value");
    } else {
      node.put("p_value", r.getPValue());
    }
    if (r.getWindowStart() == null) {
      node.putNull("window_start");
    } else {
      node.put("window_start", JsonRecords.iso(r.getWindowStart()));
    }
    if (r.getWindowEnd() == null) {
      node.putNull("window_end");
    } else {
      node.put("window_end", JsonRecords.iso(r.getWindowEnd()));
    }
    node.put("model_name", r.getModelName());
    node.put("model_version", r.getModelVersion());
    node.put("rows", r.getRows());
    node.put("drifted", r.getDrifted());
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a drift record as JSON", e);
    }
  }
}
