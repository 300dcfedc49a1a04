package io.beamml.transforms.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Beam metric names that carry labels, written {@code family{k1=v1,k2=v2}}. Beam's metric API has
 * only a namespace and a name on every runner, so the labels travel inside the name; the Prometheus
 * exporter parses them back into real labels ({@code beamml_<ns>_<family>{k1="v1"}}).
 *
 * <p>Label keys follow Prometheus' label-name rule. Values may hold anything: {@code \ { } , =} are
 * escaped with a backslash, so any value survives the round trip.
 *
 * <p>Beam's gauges and distributions hold whole numbers. A fraction (a PSI of 0.12) is recorded
 * multiplied by a power of ten and named with the label {@value #SCALE}: the exporter divides by it
 * and drops the label. Prometheus reserves label names that start with {@code __}, so it cannot
 * collide with a real label.
 */
public final class MetricLabels {

  /** Label whose value is the factor a metric's values were multiplied by, e.g. {@code 1000000}. */
  public static final String SCALE = "__scale";

  private static final Pattern KEY = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final String FAMILY_FORBIDDEN = "{}=,\\";
  private static final String VALUE_SPECIAL = "\\{},=";

  private MetricLabels() {}

  /**
   * A family and its labels as one Beam metric name, e.g. {@code name("dead_letters", "source",
   * "clicks", "reason", "blank_line")} is {@code dead_letters{source=clicks,reason=blank_line}}.
   * Without labels the name is the family itself.
   */
  public static String name(String family, String... keysAndValues) {
    checkFamily(family);
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "labels come in key, value pairs; got "
              + keysAndValues.length
              + " strings for "
              + family);
    }
    if (keysAndValues.length == 0) {
      return family;
    }
    StringBuilder b = new StringBuilder(family).append('{');
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      String key = keysAndValues[i];
      String value = keysAndValues[i + 1];
      if (key == null || !KEY.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "label key '" + key + "' of " + family + " must match " + KEY.pattern());
      }
      if (seen.put(key, Boolean.TRUE) != null) {
        throw new IllegalArgumentException("label key '" + key + "' given twice for " + family);
      }
      if (value == null) {
        throw new IllegalArgumentException("label '" + key + "' of " + family + " has no value");
      }
      if (i > 0) {
        b.append(',');
      }
      b.append(key).append('=');
      escape(value, b);
    }
    return b.append('}').toString();
  }

  /**
   * The family and labels of a Beam metric name, labels in the order written. A name without
   * {@code {} is a family with no labels.
   *
   * @throws IllegalArgumentException if the name opens a label list that is not well formed
   */
  public static Labelled parse(String beamName) {
    if (beamName == null || beamName.isEmpty()) {
      throw new IllegalArgumentException("a metric name is required");
    }
    int open = beamName.indexOf('{');
    if (open < 0) {
      return new Labelled(beamName, Map.of());
    }
    String family = beamName.substring(0, open);
    if (family.isEmpty() || !beamName.endsWith("}")) {
      throw malformed(beamName, "expected family{key=value,...}");
    }
    for (char c : family.toCharArray()) {
      if (FAMILY_FORBIDDEN.indexOf(c) >= 0) {
        throw malformed(beamName, "a '" + c + "' in the family");
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    int end = beamName.length() - 1;
    int i = open + 1;
    while (i < end) {
      int eq = beamName.indexOf('=', i);
      if (eq < 0 || eq > end) {
        throw malformed(beamName, "a label without '='");
      }
      String key = beamName.substring(i, eq);
      if (!KEY.matcher(key).matches()) {
        throw malformed(beamName, "label key '" + key + "'");
      }
      StringBuilder value = new StringBuilder();
      int j = eq + 1;
      for (; j < end; j++) {
        char c = beamName.charAt(j);
        if (c == '\\') {
          if (j + 1 >= end) {
            throw malformed(beamName, "a dangling escape");
          }
          value.append(beamName.charAt(++j));
        } else if (c == ',') {
          break;
        } else if (VALUE_SPECIAL.indexOf(c) >= 0) {
          throw malformed(beamName, "an unescaped '" + c + "' in the value of " + key);
        } else {
          value.append(c);
        }
      }
      if (labels.put(key, value.toString()) != null) {
        throw malformed(beamName, "label key '" + key + "' given twice");
      }
      if (j < end && j + 1 == end) {
        throw malformed(beamName, "a trailing ','");
      }
      i = j + 1;
    }
    if (labels.isEmpty()) {
      throw malformed(beamName, "an empty label list");
    }
    return new Labelled(family, labels);
  }

  /**
   * The factor a parsed name's {@value #SCALE} label gives (1 without one).
   *
   * @throws IllegalArgumentException if the label is not a positive whole number
   */
  public static long scale(Labelled name) {
    String value = name.labels().get(SCALE);
    if (value == null) {
      return 1;
    }
    long factor;
    try {
      factor = Long.parseLong(value);
    } catch (NumberFormatException e) {
      factor = 0;
    }
    if (factor < 1) {
      throw new IllegalArgumentException(
          "label "
              + SCALE
              + " of "
              + name.family()
              + " must be a positive whole number, got '"
              + value
              + "'");
    }
    return factor;
  }

  private static void checkFamily(String family) {
    if (family == null || family.isBlank()) {
      throw new IllegalArgumentException("a metric family name is required");
    }
    for (char c : family.toCharArray()) {
      if (FAMILY_FORBIDDEN.indexOf(c) >= 0) {
        throw new IllegalArgumentException(
            "metric family '" + family + "' must not contain '" + c + "'");
      }
    }
  }

  private static void escape(String value, StringBuilder b) {
    for (char c : value.toCharArray()) {
      if (VALUE_SPECIAL.indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
  }

  private static IllegalArgumentException malformed(String name, String what) {
    return new IllegalArgumentException(
        "metric name '" + name + "' is not family{key=value,...}: " + what);
  }

  /** A parsed name: the family and its labels in the order they were written. */
  public record Labelled(String family, Map<String, String> labels) {
    public Labelled {
      labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }
  }
}
