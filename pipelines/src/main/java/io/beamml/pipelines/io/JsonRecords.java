package io.beamml.pipelines.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.schemas.Contribution;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.Prediction;
import io.beamml.schemas.TrainingExample;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.List;

/**
 * The JSON Lines rendering of every record the pipelines write: flat objects, times as ISO-8601
 * UTC, features by their names (missing features as null), so each line loads as one table row.
 */
public final class JsonRecords {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonRecords() {}

  /** Keys of a feature row's line besides its features. */
  private static final Set<String> FEATURE_ROW_KEYS =
      Set.of("event_id", "customer_key", "event_time", "event_type", "spec_fingerprint");

  public static String featureRow(FeatureRow row) {
    if (distinctNames(row.getFeatures(), FEATURE_ROW_KEYS)) {
      // The line a tree would render, written straight out: the backfill writes one per event.
      StringWriter out = new StringWriter(256 + 32 * row.getFeatures().size());
      try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("event_id", row.getEventId());
        g.writeStringField("customer_key", row.getCustomerKey());
        g.writeStringField("event_time", iso(row.getEventTime()));
        g.writeStringField("event_type", row.getEventType());
        g.writeStringField("spec_fingerprint", row.getSpecFingerprint());
        for (FeatureValue f : row.getFeatures()) {
          if (f.getNumber() != null) {
            g.writeNumberField(f.getName(), f.getNumber());
          } else if (f.getText() != null) {
            g.writeStringField(f.getName(), f.getText());
          } else {
            g.writeNullField(f.getName());
          }
        }
        g.writeEndObject();
      } catch (IOException e) {
        throw new IllegalStateException("cannot render record as JSON", e);
      }
      return out.toString();
    }
    ObjectNode node = MAPPER.createObjectNode();
    node.put("event_id", row.getEventId());
    node.put("customer_key", row.getCustomerKey());
    node.put("event_time", iso(row.getEventTime()));
    node.put("event_type", row.getEventType());
    node.put("spec_fingerprint", row.getSpecFingerprint());
    putFeatures(node, row.getFeatures());
    return write(node);
  }

  public static String trainingExample(TrainingExample example) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("promo_id", example.getPromoId());
    node.put("customer_key", example.getCustomerKey());
    node.put("sent_time", iso(example.getSentTime()));
    node.put("label", example.getLabel());
    node.put("split", example.getSplit());
    node.put("spec_fingerprint", example.getSpecFingerprint());
    putFeatures(node, example.getFeatures());
    return write(node);
  }

  public static String prediction(Prediction p) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("event_id", p.getEventId());
    node.put("customer_key", p.getCustomerKey());
    node.put("event_time", iso(p.getEventTime()));
    node.put("score", p.getScore());
    node.put("model_name", p.getModelName());
    node.put("model_version", p.getModelVersion());
    node.put("variant", p.getVariant());
    node.put("spec_fingerprint", p.getSpecFingerprint());
    if (p.getContributions() != null) {
      ObjectNode contributions = node.putObject("contributions");
      for (Contribution c : p.getContributions()) {
        contributions.put(c.getFeature(), c.getValue());
      }
    }
    return write(node);
  }

  public static String deadLetter(DeadLetter d) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("source", d.getSource());
    node.put("step", d.getStep());
    node.put("reason", d.getReason());
    node.put("message", d.getMessage());
    if (d.getEventTime() == null) {
      node.putNull("event_time");
    } else {
      node.put("event_time", iso(d.getEventTime()));
    }
    node.put("raw_truncated", d.getRawTruncated());
    node.put("raw", d.getRaw());
    if (d.getRawBase64() != null) {
      node.put("raw_base64", d.getRawBase64());
    }
    return write(node);
  }

  private static void putFeatures(ObjectNode node, List<FeatureValue> features) {
    for (FeatureValue f : features) {
      if (f.getNumber() != null) {
        node.put(f.getName(), f.getNumber());
      } else if (f.getText() != null) {
        node.put(f.getName(), f.getText());
      } else {
        node.putNull(f.getName());
      }
    }
  }

  /**
   * Whether the features' names differ from each other and from {@code keys}: then writing them
   * in order gives the tree's line (where a repeated key keeps its first place and last value).
   */
  private static boolean distinctNames(List<FeatureValue> features, Set<String> keys) {
    Set<String> seen = new HashSet<>();
    for (FeatureValue f : features) {
      if (keys.contains(f.getName()) || !seen.add(f.getName())) {
        return false;
      }
    }
    return true;
  }

  public static String iso(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }

  private static String write(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render record as JSON", e);
    }
  }
}
