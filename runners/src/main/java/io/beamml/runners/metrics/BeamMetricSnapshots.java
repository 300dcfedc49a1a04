package io.beamml.runners.metrics;

import io.beamml.transforms.metrics.MetricLabels;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;

/**
 * Beam's metric results as Prometheus snapshots. A Beam metric {@code family{k=v}} in namespace
 * {@code ns} (labels as {@link MetricLabels} writes them) becomes {@code
 * beamml_<ns>_<family>{k="v"}}, the name lower-cased with every other character than {@code
 * [a-z0-9_]} made an underscore:
 *
 * <ul>
 *   <li>counters: a counter (exposed with {@code _total}), summed over the steps that report it;
 *   <li>distributions: a summary ({@code _count}, {@code _sum}) and gauges {@code _min} and {@code
 *       _max}, merged over steps;
 *   <li>gauges: a gauge holding the step's value reported last.
 * </ul>
 *
 * <p>Values are the committed ones where the runner has them, else the attempted ones, divided by a
 * {@link MetricLabels#SCALE} label's factor. A name that is not a well-formed labelled name is
 * taken whole as the family. A counter below zero (Beam's can be decremented) is left out, as are
 * string sets, bounded tries and histograms.
 */
public final class BeamMetricSnapshots {

  public static final String PREFIX = "beamml_";

  private static final String[] RESERVED_SUFFIXES = {"_total", "_created", "_bucket", "_info"};

  private BeamMetricSnapshots() {}

  public static MetricSnapshots of(MetricQueryResults results) {
    Map<String, Family<Long>> counters = new TreeMap<>();
    for (MetricResult<Long> r : results.getCounters()) {
      Series s = Series.of(r.getName());
      Long value = value(r);
      if (value != null) {
        counters.computeIfAbsent(s.name, n -> new Family<>(s)).merge(s, value, Long::sum);
      }
    }
    Map<String, Family<DistributionResult>> distributions = new TreeMap<>();
    for (MetricResult<DistributionResult> r : results.getDistributions()) {
      Series s = Series.of(r.getName());
      DistributionResult value = value(r);
      if (value != null && value.getCount() > 0) {
        distributions
            .computeIfAbsent(s.name, n -> new Family<>(s))
            .merge(s, value, BeamMetricSnapshots::mergeDistributions);
      }
    }
    Map<String, Family<GaugeResult>> gauges = new TreeMap<>();
    for (MetricResult<GaugeResult> r : results.getGauges()) {
      Series s = Series.of(r.getName());
      GaugeResult value = value(r);
      if (value != null) {
        gauges
            .computeIfAbsent(s.name, n -> new Family<>(s))
            .merge(s, value, (a, b) -> b.getTimestamp().isAfter(a.getTimestamp()) ? b : a);
      }
    }

    Map<String, MetricSnapshot> out = new LinkedHashMap<>();
    counters.forEach(
        (name, family) -> {
          CounterSnapshot.Builder b =
              CounterSnapshot.builder().name(name).help(family.help("counter"));
          family.series.forEach(
              (labels, point) -> {
                // A Beam counter may be decremented; a Prometheus counter may not go below 0.
                if (point.raw >= 0) {
                  b.dataPoint(
                      CounterSnapshot.CounterDataPointSnapshot.builder()
                          .labels(labels)
                          .value((double) point.raw / point.scale)
                          .build());
                }
              });
          add(out, name, b.build());
        });
    distributions.forEach(
        (name, family) -> {
          if (out.containsKey(name)
              || out.containsKey(name + "_min")
              || out.containsKey(name + "_max")) {
            return;
          }
          SummarySnapshot.Builder summary =
              SummarySnapshot.builder().name(name).help(family.help("distribution"));
          GaugeSnapshot.Builder min =
              GaugeSnapshot.builder()
                  .name(name + "_min")
                  .help("Minimum of " + family.help("distribution"));
          GaugeSnapshot.Builder max =
              GaugeSnapshot.builder()
                  .name(name + "_max")
                  .help("Maximum of " + family.help("distribution"));
          family.series.forEach(
              (labels, point) -> {
                DistributionResult d = point.raw;
                summary.dataPoint(
                    SummarySnapshot.SummaryDataPointSnapshot.builder()
                        .labels(labels)
                        .count(d.getCount())
                        .sum((double) d.getSum() / point.scale)
                        .build());
                min.dataPoint(
                    GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(labels)
                        .value((double) d.getMin() / point.scale)
                        .build());
                max.dataPoint(
                    GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(labels)
                        .value((double) d.getMax() / point.scale)
                        .build());
              });
          add(out, name, summary.build());
          add(out, name + "_min", min.build());
          add(out, name + "_max", max.build());
        });
    gauges.forEach(
        (name, family) -> {
          GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(family.help("gauge"));
          family.series.forEach(
              (labels, point) ->
                  b.dataPoint(
                      GaugeSnapshot.GaugeDataPointSnapshot.builder()
                          .labels(labels)
                          .value((double) point.raw.getValue() / point.scale)
                          .build()));
          add(out, name, b.build());
        });
    return new MetricSnapshots(out.values());
  }

  /** {@code beamml_<ns>_<family>}, sanitised to {@code [a-z0-9_]} without a reserved suffix. */
  public static String prometheusName(String namespace, String family) {
    String name = sanitise(PREFIX + namespace + "_" + family);
    boolean stripped = true;
    while (stripped) {
      stripped = false;
      for (String suffix : RESERVED_SUFFIXES) {
        if (name.endsWith(suffix) && name.length() > suffix.length()) {
          name = name.substring(0, name.length() - suffix.length());
          stripped = true;
        }
      }
    }
    return name;
  }

  private static String sanitise(String name) {
    String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_").replaceAll("_+", "_");
    return s.endsWith("_") ? s.substring(0, s.length() - 1) : s;
  }

  private static <T> T value(MetricResult<T> r) {
    T committed = r.getCommittedOrNull();
    return committed != null ? committed : r.getAttempted();
  }

  private static DistributionResult mergeDistributions(DistributionResult a, DistributionResult b) {
    return DistributionResult.create(
        a.getSum() + b.getSum(),
        a.getCount() + b.getCount(),
        Math.min(a.getMin(), b.getMin()),
        Math.max(a.getMax(), b.getMax()));
  }

  /**
   * Two Beam names that sanitise alike are one family; a name taken by another kind stays with the
   * first.
   */
  private static void add(Map<String, MetricSnapshot> out, String name, MetricSnapshot snapshot) {
    out.putIfAbsent(name, snapshot);
  }

  /** One Prometheus name, its label sets and their merged values. */
  private static final class Family<T> {
    private final String beamName;
    private final Map<Labels, Point<T>> series = new TreeMap<>();

    Family(Series first) {
      this.beamName = first.beamFamily;
    }

    void merge(Series s, T value, BinaryOperator<T> combine) {
      series.merge(
          s.labels,
          new Point<>(value, s.scale),
          (a, b) -> new Point<>(combine.apply(a.raw, b.raw), a.scale));
    }

    String help(String kind) {
      return "Beam " + kind + " " + beamName;
    }
  }

  private record Point<T>(T raw, long scale) {}

  /** Where one Beam metric goes: the Prometheus name, its labels and the factor to divide by. */
  private record Series(String name, String beamFamily, Labels labels, long scale) {
    static Series of(MetricName beam) {
      try {
        MetricLabels.Labelled parsed = MetricLabels.parse(beam.getName());
        long scale = MetricLabels.scale(parsed);
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> label : parsed.labels().entrySet()) {
          if (label.getKey().equals(MetricLabels.SCALE)) {
            continue;
          }
          if (!PrometheusNaming.isValidLabelName(label.getKey())) {
            throw new IllegalArgumentException("label " + label.getKey());
          }
          names.add(label.getKey());
          values.add(label.getValue());
        }
        return new Series(
            prometheusName(beam.getNamespace(), parsed.family()),
            beam.getNamespace() + "/" + parsed.family(),
            Labels.of(names, values),
            scale);
      } catch (IllegalArgumentException e) {
        return new Series(
            prometheusName(beam.getNamespace(), beam.getName()),
            beam.getNamespace() + "/" + beam.getName(),
            Labels.EMPTY,
            1);
      }
    }
  }
}
