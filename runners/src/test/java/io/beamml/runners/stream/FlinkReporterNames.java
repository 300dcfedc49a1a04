package io.beamml.runners.stream;

import java.util.regex.Pattern;

/**
 * The name under which Flink's Prometheus reporter exports a Beam user metric. Beam's Flink runner
 * registers each metric in the operator's metric group as {@code <namespace>.<name>}; the reporter
 * prefixes the group's logical scope and replaces every character outside {@code [a-zA-Z0-9:_]}
 * with {@code _}, in names and (by default) in label values alike.
 */
final class FlinkReporterNames {

  static final String OPERATOR_SCOPE = "flink_taskmanager_job_task_operator_";
  private static final Pattern INVALID = Pattern.compile("[^a-zA-Z0-9:_]");

  private FlinkReporterNames() {}

  static String userMetric(String namespace, String name) {
    return OPERATOR_SCOPE + sanitise(namespace + "." + name);
  }

  static String sanitise(String text) {
    return INVALID.matcher(text).replaceAll("_");
  }
}
