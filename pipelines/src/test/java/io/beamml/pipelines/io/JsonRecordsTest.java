package io.beamml.pipelines.io;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import java.util.List;
import org.junit.Test;

/** A feature row's line, written straight out, is the line its JSON tree renders to. */
public class JsonRecordsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static FeatureRow row(List<FeatureValue> features) {
    return FeatureRow.newBuilder()
        .setEventId("e\"1\u00e9")
        .setCustomerKey("k")
        .setEventTime(1_767_225_600_123L)
        .setEventType("view")
        .setSpecFingerprint("f")
        .setFeatures(features)
        .build();
  }

  private static FeatureValue value(String name, Double number, String text) {
    return FeatureValue.newBuilder().setName(name).setNumber(number).setText(text).build();
  }

  /** The tree rendering: a later value of a repeated key replaces the earlier one in its place. */
  private static String tree(FeatureRow r) throws Exception {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("event_id", r.getEventId());
    node.put("customer_key", r.getCustomerKey());
    node.put("event_time", JsonRecords.iso(r.getEventTime()));
    node.put("event_type", r.getEventType());
    node.put("spec_fingerprint", r.getSpecFingerprint());
    for (FeatureValue f : r.getFeatures()) {
      if (f.getNumber() != null) {
        node.put(f.getName(), f.getNumber());
      } else if (f.getText() != null) {
        node.put(f.getName(), f.getText());
      } else {
        node.putNull(f.getName());
      }
    }
    return MAPPER.writeValueAsString(node);
  }

  @Test
  public void rendersNumbersTextsAndMissingFeaturesAsTheTreeDoes() throws Exception {
    FeatureRow r = row(List.of(value("clicks_1h", 3.0, null), value("spend_7d", 12.345678901, null),
        value("ratio", Double.NaN, null), value("country", null, "DE\n"), value("age_days", null, null),
        value("tiny", 1e-12, null)));
    assertEquals(tree(r), JsonRecords.featureRow(r));
  }

  @Test
  public void aRepeatedNameRendersAsTheTreeDoes() throws Exception {
    FeatureRow r = row(List.of(value("a", 1.0, null), value("a", 2.0, null), value("event_type", null, "x")));
    assertEquals(tree(r), JsonRecords.featureRow(r));
  }
}
