package io.beamml.testdata;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An independent, strict reading of the data contract for the tests: for one line it returns every
 * reason the line breaks the contract (empty for a valid line), so a test can check both that each
 * bad line has exactly one reason and that the counts match the manifest.
 */
final class ContractReader {
  static final Set<String> CLICK_TYPES = Set.of("view", "click", "add_to_cart");
  static final Set<String> CHANNELS = Set.of("web", "app", "email");
  static final Set<String> GENDERS = Set.of("F", "M", "X");
  static final Set<String> COUNTRIES =
      Set.of("DE", "FR", "GB", "IT", "ES", "NL", "PL", "SE", "US", "CA");
  static final Pattern CUSTOMER_ID = Pattern.compile("C[0-9]{7}");
  private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
  private static final Instant PLAUSIBLE_FROM = Instant.parse("2000-01-01T00:00:00Z");
  private static final Instant PLAUSIBLE_TO = Instant.parse("2100-01-01T00:00:00Z");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ContractReader() {}

  /** A click line's reasons. */
  static Set<String> clickReasons(String line) {
    Set<String> reasons = new TreeSet<>();
    if (line.isEmpty()) {
      reasons.add("blank_line");
      return reasons;
    }
    tooLong(line, reasons);
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (Exception e) {
      reasons.add("malformed_json");
      return reasons;
    }
    if (node == null || !node.isObject()) {
      reasons.add("malformed_json");
      return reasons;
    }
    for (String field :
        new String[] {
          "event_id",
          "customer_id",
          "event_type",
          "product_id",
          "event_time",
          "session_id",
          "channel"
        }) {
      JsonNode v = node.get(field);
      if (v == null || v.isNull() || (v.isTextual() && v.textValue().isEmpty())) {
        reasons.add("missing_required_field");
      } else if (!v.isTextual()) {
        reasons.add("wrong_type");
      }
    }
    text(node, "event_type", CLICK_TYPES, reasons);
    text(node, "channel", CHANNELS, reasons);
    JsonNode price = node.get("price");
    if (price != null && !price.isNull()) {
      if (!price.isNumber()) {
        reasons.add("wrong_type");
      } else if (price.doubleValue() < 0) {
        reasons.add("price_not_negative");
      }
    }
    JsonNode time = node.get("event_time");
    if (time != null && time.isTextual() && !time.textValue().isEmpty()) {
      timestamp(time.textValue(), reasons);
    }
    return reasons;
  }

  /** A sales line's reasons. */
  static Set<String> salesReasons(String line) {
    Set<String> reasons = new TreeSet<>();
    String[] f = csv(line, 7, reasons);
    if (f == null) {
      return reasons;
    }
    required(f, new int[] {0, 1, 2, 5}, reasons);
    Integer quantity = integer(f[3], reasons);
    if (!DECIMAL.matcher(f[4]).matches()) {
      reasons.add("wrong_type");
    } else if (Double.parseDouble(f[4]) < 0) {
      reasons.add("amount_not_negative");
    }
    timestamp(f[6], reasons);
    if (quantity != null && quantity <= 0) {
      reasons.add("quantity_positive");
    }
    return reasons;
  }

  /** A profiles line's reasons. */
  static Set<String> profileReasons(String line) {
    Set<String> reasons = new TreeSet<>();
    String[] f = csv(line, 5, reasons);
    if (f == null) {
      return reasons;
    }
    required(f, new int[] {0}, reasons);
    Integer age = integer(f[1], reasons);
    if (!GENDERS.contains(f[2])) {
      reasons.add("unknown_enum_value");
    }
    if (!COUNTRIES.contains(f[3])) {
      reasons.add("unknown_enum_value");
    }
    try {
      LocalDate.parse(f[4], DateTimeFormatter.ISO_LOCAL_DATE);
    } catch (DateTimeParseException e) {
      reasons.add("unparseable_timestamp");
    }
    if (age != null && (age < 0 || age > 120)) {
      reasons.add("age_in_range");
    }
    return reasons;
  }

  /** A responses line's reasons. */
  static Set<String> responseReasons(String line) {
    Set<String> reasons = new TreeSet<>();
    String[] f = csv(line, 4, reasons);
    if (f == null) {
      return reasons;
    }
    required(f, new int[] {0, 1}, reasons);
    timestamp(f[2], reasons);
    if (!f[3].equals("0") && !f[3].equals("1")) {
      reasons.add("wrong_type");
    }
    return reasons;
  }

  /** The instant of an ISO-8601 date-time with offset. */
  static Instant instant(String text) {
    return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
  }

  static ZoneOffset offset(String text) {
    return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).getOffset();
  }

  static JsonNode json(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  private static void tooLong(String line, Set<String> reasons) {
    if (line.getBytes(StandardCharsets.UTF_8).length > BadReason.MAX_LINE_BYTES) {
      reasons.add("line_too_long");
    }
  }

  private static String[] csv(String line, int fields, Set<String> reasons) {
    if (line.isEmpty()) {
      reasons.add("blank_line");
      return null;
    }
    tooLong(line, reasons);
    if (line.indexOf('"') >= 0) {
      reasons.add("malformed_csv");
      return null;
    }
    String[] f = line.split(",", -1);
    if (f.length != fields) {
      reasons.add("wrong_field_count");
      return null;
    }
    return f;
  }

  private static void required(String[] f, int[] indices, Set<String> reasons) {
    for (int i : indices) {
      if (f[i].isEmpty()) {
        reasons.add("missing_required_field");
      }
    }
  }

  private static Integer integer(String value, Set<String> reasons) {
    if (!INTEGER.matcher(value).matches()) {
      reasons.add("wrong_type");
      return null;
    }
    return Integer.parseInt(value);
  }

  private static void text(JsonNode node, String field, Set<String> allowed, Set<String> reasons) {
    JsonNode v = node.get(field);
    if (v != null
        && v.isTextual()
        && !v.textValue().isEmpty()
        && !allowed.contains(v.textValue())) {
      reasons.add("unknown_enum_value");
    }
  }

  private static void timestamp(String value, Set<String> reasons) {
    Instant t;
    try {
      t = instant(value);
    } catch (DateTimeParseException e) {
      reasons.add("unparseable_timestamp");
      return;
    }
    if (t.isBefore(PLAUSIBLE_FROM) || !t.isBefore(PLAUSIBLE_TO)) {
      reasons.add("event_time_plausible");
    }
  }
}
