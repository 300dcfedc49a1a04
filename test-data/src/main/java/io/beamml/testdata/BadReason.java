package io.beamml.testdata;

/**
 * Why a generated row must be rejected: each bad row is bad for exactly one of these. The codes are
 * the dead-letter reason codes of the pipelines (parse-level codes, then the names of the
 * validation rules).
 */
public enum BadReason {
  /** Clicks only: the line is not a JSON object. */
  MALFORMED_JSON("malformed_json"),
  /** CSV only: too few or too many fields. */
  WRONG_FIELD_COUNT("wrong_field_count"),
  /** A field of the wrong type: quantity "abc", age "x", price "cheap", responded "maybe". */
  WRONG_TYPE("wrong_type"),
  /** event_type "purchase", channel "fax", gender "Q", country "ZZ". */
  UNKNOWN_ENUM_VALUE("unknown_enum_value"),
  /** A timestamp (or the profile's signup date) that is not ISO-8601 with an offset. */
  UNPARSEABLE_TIMESTAMP("unparseable_timestamp"),
  /** A required field absent (JSON) or empty (CSV). */
  MISSING_REQUIRED_FIELD("missing_required_field"),
  /** An empty line between other lines. */
  BLANK_LINE("blank_line"),
  /** A line longer than 1 MiB; otherwise well formed and valid. */
  LINE_TOO_LONG("line_too_long"),
  /** Validation rule: age outside 0..120. */
  AGE_IN_RANGE("age_in_range"),
  /** Validation rule: a click's price below zero. */
  PRICE_NOT_NEGATIVE("price_not_negative"),
  /** Validation rule: an order's amount below zero. */
  AMOUNT_NOT_NEGATIVE("amount_not_negative"),
  /** Validation rule: an event or order time in 1990 or 2100. */
  EVENT_TIME_PLAUSIBLE("event_time_plausible"),
  /** Validation rule: an order's quantity zero or negative. */
  QUANTITY_POSITIVE("quantity_positive");

  /** Lines longer than this many bytes are {@link #LINE_TOO_LONG}. */
  public static final int MAX_LINE_BYTES = 1 << 20;

  private final String code;

  BadReason(String code) {
    this.code = code;
  }

  /** The reason code as written in the manifest and in dead letters. */
  public String code() {
    return code;
  }
}
