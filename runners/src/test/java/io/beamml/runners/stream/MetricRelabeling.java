package io.beamml.runners.stream;

import io.beamml.runners.stream.PrometheusSamples.Sample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The {@code metric_relabel_configs} of one scrape job in a Prometheus configuration file, applied
 * to samples as Prometheus applies them after a scrape: in order, each rule joining its source
 * labels with {@code ;} and matching its regex against the whole string. Only the actions the
 * configuration uses are known here ({@code replace}, {@code drop}, {@code keep}); any other fails.
 */
final class MetricRelabeling {

  private record Rule(
      List<String> sourceLabels,
      String separator,
      Pattern regex,
      String action,
      String targetLabel,
      String replacement) {}

  private static final Pattern PROMETHEUS_GROUP = Pattern.compile("\\$\\{(\\d+)\\}");

  /** Prometheus (Go) reads {@code $1_total} as the group named {@code 1_total}, which is empty. */
  private static final Pattern AMBIGUOUS_GROUP = Pattern.compile("\\$\\d+[a-zA-Z_]");

  private final List<Rule> rules;

  private MetricRelabeling(List<Rule> rules) {
    this.rules = rules;
  }

  @SuppressWarnings("unchecked")
  static MetricRelabeling load(Path file, String jobName) throws IOException {
    Object root =
        new Load(LoadSettings.builder().build())
            .loadFromString(Files.readString(file, StandardCharsets.UTF_8));
    List<Map<String, Object>> jobs =
        (List<Map<String, Object>>) ((Map<String, Object>) root).get("scrape_configs");
    Map<String, Object> job =
        jobs.stream()
            .filter(j -> jobName.equals(j.get("job_name")))
            .findFirst()
            .orElseThrow(
                () -> new IllegalArgumentException(file + " has no scrape job " + jobName));
    List<Rule> rules = new ArrayList<>();
    for (Map<String, Object> r : (List<Map<String, Object>>) job.get("metric_relabel_configs")) {
      String replacement = (String) r.getOrDefault("replacement", "$1");
      if (AMBIGUOUS_GROUP.matcher(replacement).find()) {
        throw new IllegalArgumentException(
            "Prometheus reads "
                + replacement
                + " as a group named by all that"
                + " follows the $: write ${1}");
      }
      String action = (String) r.getOrDefault("action", "replace");
      if (!List.of("replace", "drop", "keep").contains(action)) {
        throw new IllegalArgumentException("relabel action " + action + " is not modelled here");
      }
      rules.add(
          new Rule(
              (List<String>) r.getOrDefault("source_labels", List.of()),
              (String) r.getOrDefault("separator", ";"),
              // Prometheus anchors every relabel regex at both ends.
              Pattern.compile("^(?:" + r.getOrDefault("regex", "(.*)") + ")$"),
              action,
              (String) r.get("target_label"),
              PROMETHEUS_GROUP.matcher(replacement).replaceAll("\\$$1")));
    }
    return new MetricRelabeling(rules);
  }

  /** The sample as stored after relabeling, or empty when a rule drops it. */
  Optional<Sample> apply(Sample sample) {
    Map<String, String> labels = new LinkedHashMap<>(sample.labels());
    labels.put("__name__", sample.name());
    for (Rule rule : rules) {
      String source =
          rule.sourceLabels().stream()
              .map(l -> labels.getOrDefault(l, ""))
              .collect(Collectors.joining(rule.separator()));
      Matcher m = rule.regex().matcher(source);
      boolean matches = m.matches();
      switch (rule.action()) {
        case "drop" -> {
          if (matches) {
            return Optional.empty();
          }
        }
        case "keep" -> {
          if (!matches) {
            return Optional.empty();
          }
        }
        default -> {
          if (matches) {
            String value = m.replaceFirst(rule.replacement());
            if (value.isEmpty()) {
              labels.remove(rule.targetLabel());
            } else {
              labels.put(rule.targetLabel(), value);
            }
          }
        }
      }
    }
    String name = labels.remove("__name__");
    return Optional.of(new Sample(name, labels, sample.value()));
  }

  List<Sample> apply(List<Sample> samples) {
    return samples.stream().map(this::apply).flatMap(Optional::stream).toList();
  }
}
