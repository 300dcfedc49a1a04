package io.beamml.testdata;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a generation wrote, with exact counts a test can hold a pipeline's output against: per
 * source the data lines, the records that must survive parse, validate and deduplicate, the
 * re-deliveries, and the bad lines by reason. Written as {@code manifest.json} beside the data.
 */
public final class GenerationManifest {
  public static final String CLICKS = "clicks";
  public static final String SALES = "sales";
  public static final String PROFILES = "profiles";
  public static final String RESPONSES = "responses";

  /** Source names in the order they appear in the manifest. */
  public static final List<String> SOURCES = List.of(CLICKS, SALES, PROFILES, RESPONSES);

  private final GeneratorConfig config;
  private final Map<String, SourceCounts> sources;
  private final Map<String, Long> validEventsByType;
  private final long customersWithEvents;
  private final long customersWithProfile;
  private final long profileCustomersWithoutEvents;
  private final long promosSent;
  private final long promosResponded;
  private final long promosToCustomersWithoutEvents;
  private final double meanResponseProbability;

  GenerationManifest(
      GeneratorConfig config,
      Map<String, SourceCounts> sources,
      Map<String, Long> validEventsByType,
      long customersWithEvents,
      long customersWithProfile,
      long profileCustomersWithoutEvents,
      long promosSent,
      long promosResponded,
      long promosToCustomersWithoutEvents,
      double meanResponseProbability) {
    this.config = config;
    this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    this.validEventsByType = Collections.unmodifiableMap(new LinkedHashMap<>(validEventsByType));
    this.customersWithEvents = customersWithEvents;
    this.customersWithProfile = customersWithProfile;
    this.profileCustomersWithoutEvents = profileCustomersWithoutEvents;
    this.promosSent = promosSent;
    this.promosResponded = promosResponded;
    this.promosToCustomersWithoutEvents = promosToCustomersWithoutEvents;
    this.meanResponseProbability = meanResponseProbability;
  }

  public GeneratorConfig config() {
    return config;
  }

  /** The four sources by name, in {@link #SOURCES} order. */
  public Map<String, SourceCounts> sources() {
    return sources;
  }

  public SourceCounts source(String name) {
    SourceCounts counts = sources.get(name);
    if (counts == null) {
      throw new IllegalArgumentException("no source " + name + "; sources are " + SOURCES);
    }
    return counts;
  }

  public SourceCounts clicks() {
    return source(CLICKS);
  }

  public SourceCounts sales() {
    return source(SALES);
  }

  public SourceCounts profiles() {
    return source(PROFILES);
  }

  public SourceCounts responses() {
    return source(RESPONSES);
  }

  /**
   * Valid unique events by type: {@code view}, {@code click}, {@code add_to_cart}, {@code order}.
   */
  public Map<String, Long> validEventsByType() {
    return validEventsByType;
  }

  /** Click events plus orders that survive parse, validate and deduplicate. */
  public long validEvents() {
    return clicks().validUnique() + sales().validUnique();
  }

  public long customers() {
    return config.customers();
  }

  /** Customers with at least one valid click event or order. */
  public long customersWithEvents() {
    return customersWithEvents;
  }

  /** Customers with a valid profile row. */
  public long customersWithProfile() {
    return customersWithProfile;
  }

  /** Customers with a valid profile row and no events. */
  public long profileCustomersWithoutEvents() {
    return profileCustomersWithoutEvents;
  }

  public long promosSent() {
    return promosSent;
  }

  public long promosResponded() {
    return promosResponded;
  }

  /** Promotions (valid responses) for customers with no events at all. */
  public long promosToCustomersWithoutEvents() {
    return promosToCustomersWithoutEvents;
  }

  /** Mean of the true response probabilities written to the truth file. */
  public double meanResponseProbability() {
    return meanResponseProbability;
  }

  /** The manifest as pretty-printed JSON, as written to {@code manifest.json}. */
  public String toJson() {
    StringBuilder sb = new StringBuilder(4096);
    sb.append("{\n");
    sb.append("  \"format_version\": 1,\n");
    sb.append("  \"config\": {\n");
    field(sb, 4, "customers", config.customers(), false);
    field(sb, 4, "days", config.days(), false);
    field(sb, 4, "seed", config.seed(), false);
    stringField(sb, 4, "start_date", config.startDate().toString(), false);
    rawField(sb, 4, "bad_row_rate", Double.toString(config.badRowRate()), false);
    rawField(sb, 4, "duplicate_rate", Double.toString(config.duplicateRate()), false);
    rawField(
        sb, 4, "include_oversized_lines", Boolean.toString(config.includeOversizedLines()), true);
    sb.append("  },\n");
    sb.append("  \"period\": {\n");
    stringField(sb, 4, "start", Instant.ofEpochMilli(config.startEpochMs()).toString(), false);
    stringField(sb, 4, "end_exclusive", Instant.ofEpochMilli(config.endEpochMs()).toString(), true);
    sb.append("  },\n");
    sb.append("  \"sources\": {\n");
    int s = 0;
    for (SourceCounts c : sources.values()) {
      indent(sb, 4);
      Text.appendJsonString(sb, c.source());
      sb.append(": {\n");
      indent(sb, 6);
      sb.append("\"files\": [");
      for (int i = 0; i < c.files().size(); i++) {
        sb.append(i == 0 ? "" : ", ");
        Text.appendJsonString(sb, c.files().get(i));
      }
      sb.append("],\n");
      field(sb, 6, "header_lines", c.headerLines(), false);
      field(sb, 6, "lines", c.lines(), false);
      field(sb, 6, "valid_unique", c.validUnique(), false);
      field(sb, 6, "duplicates", c.duplicates(), false);
      field(sb, 6, "bad_total", c.badTotal(), false);
      indent(sb, 6);
      sb.append("\"bad\": {");
      int r = 0;
      for (Map.Entry<String, Long> e : c.bad().entrySet()) {
        sb.append(r++ == 0 ? "\n" : ",\n");
        indent(sb, 8);
        Text.appendJsonString(sb, e.getKey());
        sb.append(": ").append(e.getValue());
      }
      sb.append(r == 0 ? "},\n" : "\n      },\n");
      field(sb, 6, "lf_lines", c.lfLines(), false);
      field(sb, 6, "crlf_lines", c.crlfLines(), true);
      sb.append(++s < sources.size() ? "    },\n" : "    }\n");
    }
    sb.append("  },\n");
    sb.append("  \"valid_events_by_type\": {\n");
    int t = 0;
    for (Map.Entry<String, Long> e : validEventsByType.entrySet()) {
      field(sb, 4, e.getKey(), e.getValue(), ++t == validEventsByType.size());
    }
    sb.append("  },\n");
    sb.append("  \"customers\": {\n");
    field(sb, 4, "total", config.customers(), false);
    field(sb, 4, "with_events", customersWithEvents, false);
    field(sb, 4, "with_profile", customersWithProfile, false);
    field(sb, 4, "with_profile_without_events", profileCustomersWithoutEvents, true);
    sb.append("  },\n");
    sb.append("  \"promos\": {\n");
    field(sb, 4, "sent", promosSent, false);
    field(sb, 4, "responded", promosResponded, false);
    field(sb, 4, "to_customers_without_events", promosToCustomersWithoutEvents, false);
    StringBuilder p = new StringBuilder();
    Text.appendProbability(p, meanResponseProbability);
    rawField(sb, 4, "mean_probability", p.toString(), false);
    stringField(sb, 4, "truth_file", DataGenerator.TRUTH_FILE, false);
    indent(sb, 4);
    sb.append("\"response_model\": {\n");
    int m = 0;
    Map<String, Double> coefficients = ResponseModel.coefficients();
    for (Map.Entry<String, Double> e : coefficients.entrySet()) {
      rawField(sb, 6, e.getKey(), e.getValue().toString(), ++m == coefficients.size());
    }
    sb.append("    }\n");
    sb.append("  }\n");
    sb.append("}\n");
    return sb.toString();
  }

  /** A few lines for a person: what was written, per source. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append("Generated ")
        .append(config.customers())
        .append(" customers over ")
        .append(config.days())
        .append(" days from ")
        .append(config.startDate())
        .append(" (seed ")
        .append(config.seed())
        .append("): ")
        .append(validEvents())
        .append(" valid events, ")
        .append(promosSent)
        .append(" promotions (")
        .append(promosResponded)
        .append(" responded)\n");
    for (SourceCounts c : sources.values()) {
      sb.append("  ").append(c).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return summary();
  }

  private static void indent(StringBuilder sb, int spaces) {
    for (int i = 0; i < spaces; i++) {
      sb.append(' ');
    }
  }

  private static void field(StringBuilder sb, int spaces, String name, long value, boolean last) {
    rawField(sb, spaces, name, Long.toString(value), last);
  }

  private static void stringField(
      StringBuilder sb, int spaces, String name, String value, boolean last) {
    StringBuilder quoted = new StringBuilder();
    Text.appendJsonString(quoted, value);
    rawField(sb, spaces, name, quoted.toString(), last);
  }

  private static void rawField(
      StringBuilder sb, int spaces, String name, String json, boolean last) {
    indent(sb, spaces);
    Text.appendJsonString(sb, name);
    sb.append(": ").append(json).append(last ? "\n" : ",\n");
  }
}
