package io.beamml.serving.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.beamml.serving.ServingException;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * Strict JSON for request bodies. Errors say where, never what: Jackson's messages quote the input
 * (a raw customer id among it), so a malformed body is reported by line and column only.
 */
final class JsonBodies {

  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  private JsonBodies() {}

  static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw ServingException.badRequest("the request has no body; send a JSON document");
    }
    try {
      JsonNode tree = MAPPER.readTree(body);
      if (tree == null || tree.isMissingNode()) {
        throw ServingException.badRequest("the request body holds no JSON value");
      }
      return tree;
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw ServingException.badRequest("malformed JSON" + where);
    } catch (IOException e) {
      throw ServingException.badRequest("unreadable request body");
    }
  }

  /**
   * Refuses any field of {@code node} not in {@code known}, naming the field (names are not data).
   */
  static void onlyKnownFields(JsonNode node, Set<String> known, String what) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw ServingException.badRequest(
            what
                + " has an unknown field '"
                + clip(name)
                + "'; known fields are "
                + new java.util.TreeSet<>(known));
      }
    }
  }

  static String typeOf(JsonNode node) {
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String clip(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
