package io.beamml.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamml.serving.ScoreRequest;
import io.beamml.serving.ServingException;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@code POST /v1/score} body: one object {@code {"customer_id", "as_of"?, "promo_id"?,
 * "explain"?}} or a list of them. The raw id is turned into the pseudonymised key here and goes no
 * further: not into errors, logs, the store, the audit or traces.
 */
final class ScoreRequests {

  static final Set<String> FIELDS = Set.of("customer_id", "as_of", "promo_id", "explain");

  /** The parsed requests, and whether the body was a list (so the answer is one too). */
  record Parsed(List<ScoreRequest> requests, boolean list) {}

  private ScoreRequests() {}

  static Parsed parse(
      byte[] body, Pseudonymiser pseudonymiser, long nowMillis, int maxCustomers, int maxExplain) {
    JsonNode tree = JsonBodies.parse(body);
    List<ScoreRequest> requests = new ArrayList<>();
    if (tree.isArray()) {
      if (tree.isEmpty()) {
        throw ServingException.badRequest("the list of customers is empty");
      }
      if (tree.size() > maxCustomers) {
        throw ServingException.badRequest(
            "at most " + maxCustomers + " customers per request, got " + tree.size());
      }
      for (int i = 0; i < tree.size(); i++) {
        requests.add(one(tree.get(i), "item " + i, pseudonymiser, nowMillis, maxExplain));
      }
      return new Parsed(requests, true);
    }
    requests.add(one(tree, "the request", pseudonymiser, nowMillis, maxExplain));
    return new Parsed(requests, false);
  }

  private static ScoreRequest one(
      JsonNode node, String what, Pseudonymiser pseudonymiser, long nowMillis, int maxExplain) {
    if (!node.isObject()) {
      throw ServingException.badRequest(
          what + " must be a JSON object, got " + JsonBodies.typeOf(node));
    }
    JsonBodies.onlyKnownFields(node, FIELDS, what);
    JsonNode id = node.get("customer_id");
    if (id == null || !id.isTextual() || id.asText().isBlank()) {
      throw ServingException.badRequest(
          what
              + ": customer_id is required and must be a non-empty string"
              + (id == null ? "" : ", got " + JsonBodies.typeOf(id)));
    }
    long asOf = nowMillis;
    JsonNode asOfNode = node.get("as_of");
    if (asOfNode != null && !asOfNode.isNull()) {
      if (!asOfNode.isTextual()) {
        throw ServingException.badRequest(
            what + ": as_of must be an ISO-8601 string, got " + JsonBodies.typeOf(asOfNode));
      }
      try {
        asOf = OffsetDateTime.parse(asOfNode.asText()).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        throw ServingException.badRequest(
            what
                + ": as_of must be an ISO-8601 time with an offset or Z, such as"
                + " 2024-03-01T12:00:00Z");
      }
    }
    String promoId = null;
    JsonNode promo = node.get("promo_id");
    if (promo != null && !promo.isNull()) {
      if (!promo.isTextual()) {
        throw ServingException.badRequest(
            what + ": promo_id must be a string, got " + JsonBodies.typeOf(promo));
      }
      promoId = promo.asText();
    }
    int explain = 0;
    JsonNode k = node.get("explain");
    if (k != null && !k.isNull()) {
      if (!k.isIntegralNumber() || k.asLong() < 0 || k.asLong() > maxExplain) {
        throw ServingException.badRequest(
            what + ": explain must be an integer from 0 to " + maxExplain);
      }
      explain = k.asInt();
    }
    return new ScoreRequest(pseudonymiser.pseudonym(id.asText()), asOf, promoId, explain);
  }
}
