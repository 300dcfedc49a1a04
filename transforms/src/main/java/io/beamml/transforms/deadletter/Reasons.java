package io.beamml.transforms.deadletter;

/**
 * Machine-readable reason codes shared by every stage. Validation failures use the name of the rule
 * that failed instead (see {@code io.beamml.transforms.validate}).
 */
public final class Reasons {
  public static final String MALFORMED_JSON = "malformed_json";
  public static final String MALFORMED_CSV = "malformed_csv";
  public static final String WRONG_FIELD_COUNT = "wrong_field_count";
  public static final String WRONG_TYPE = "wrong_type";
  public static final String UNKNOWN_ENUM_VALUE = "unknown_enum_value";
  public static final String UNPARSEABLE_TIMESTAMP = "unparseable_timestamp";
  public static final String MISSING_REQUIRED_FIELD = "missing_required_field";
  public static final String LINE_TOO_LONG = "line_too_long";
  public static final String BLANK_LINE = "blank_line";
  public static final String INVALID_UTF8 = "invalid_utf8";
  public static final String LATE_EVENT = "late_event";

  /**
   * A promotion response that reached the stream after its send time plus the response lateness.
   */
  public static final String LATE_RESPONSE = "late_response";

  public static final String SPEC_MISMATCH = "spec_fingerprint_mismatch";
  public static final String MISSING_FEATURE = "missing_feature";
  public static final String SCORING_FAILED = "scoring_failed";
  public static final String SINK_REJECTED = "sink_rejected";

  private Reasons() {}
}
