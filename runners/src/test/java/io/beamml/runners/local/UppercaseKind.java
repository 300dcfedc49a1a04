package io.beamml.runners.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * The test pipelines' transformation: {@code {"id":N,"kind":"x"}} becomes {@code
 * {"id":N,"kind":"X","seen":true}}, so the output proves each record went through the job.
 */
final class UppercaseKind implements SerializableFunction<String, String> {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static String input(long id) {
    return "{\"id\":" + id + ",\"kind\":\"k" + (id % 7) + "\"}";
  }

  static String expected(long id) {
    return "{\"id\":" + id + ",\"kind\":\"K" + (id % 7) + "\",\"seen\":true}";
  }

  @Override
  public String apply(String json) {
    try {
      ObjectNode node = (ObjectNode) MAPPER.readTree(json);
      JsonNode kind = node.get("kind");
      node.put("kind", kind.asText().toUpperCase(Locale.ROOT));
      node.put("seen", true);
      return MAPPER.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
