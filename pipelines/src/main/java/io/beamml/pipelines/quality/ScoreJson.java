package io.beamml.pipelines.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.transforms.deadletter.Reasons;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads back a {@link Score} from a prediction or audit record as {@link JsonRecords#prediction}
 * and {@link io.beamml.pipelines.io.JsonRecords#render} write them (times ISO-8601); other fields
 * are ignored. A line that is not one, or whose score is not a probability, gives a {@link Refused}
 * with the dead-letter reason.
 */
final class ScoreJson {

  /** A score that is not a probability cannot be measured. */
  static final String SCORE_NOT_PROBABILITY = "score_not_probability";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ScoreJson() {}

  static Score parse(String line) throws Refused {
    JsonNode n;
    try {
      n = MAPPER.readTree(line);
    } catch (IOException e) {
      throw new Refused(Reasons.MALFORMED_JSON, "invalid JSON: " + e.getMessage(), null);
    }
    if (n == null || !n.isObject()) {
      throw new Refused(Reasons.MALFORMED_JSON, "expected a JSON object", null);
    }
    String time = text(n, "event_time");
    long eventTime;
    try {
      eventTime = Instant.parse(time).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new Refused(
          Reasons.UNPARSEABLE_TIMESTAMP,
          "event_time '" + time + "' is not an ISO-8601 instant",
          null);
    }
    JsonNode score = n.get("score");
    if (score == null || score.isNull()) {
      throw new Refused(Reasons.MISSING_REQUIRED_FIELD, "score is missing", eventTime);
    }
    if (!score.isNumber()) {
      throw new Refused(Reasons.WRONG_TYPE, "score must be a number", eventTime);
    }
    JsonNode promo = n.get("promo_id");
    return checked(
        new Score(
            text(n, "customer_key"),
            eventTime,
            score.asDouble(),
            text(n, "model_name"),
            text(n, "model_version"),
            text(n, "variant"),
            promo == null || promo.isNull() ? null : promo.asText()));
  }

  /** The score itself, refused unless it is a probability. */
  static Score checked(Score s) throws Refused {
    if (!(s.score() >= 0 && s.score() <= 1)) {
      throw new Refused(
          SCORE_NOT_PROBABILITY, "score " + s.score() + " is not in [0, 1]", s.eventTime());
    }
    return s;
  }

  private static String text(JsonNode n, String field) throws Refused {
    JsonNode v = n.get(field);
    if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
      throw new Refused(Reasons.MISSING_REQUIRED_FIELD, field + " is missing", null);
    }
    if (!v.isTextual()) {
      throw new Refused(Reasons.WRONG_TYPE, field + " must be a string", null);
    }
    return v.asText();
  }

  /** Why a line is not a score. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final String reason;
    final Long eventTime;

    Refused(String reason, String message, Long eventTime) {
      super(message);
      this.reason = reason;
      this.eventTime = eventTime;
    }
  }
}
