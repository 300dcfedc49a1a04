package io.beamml.runners.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.metrics.BoundedTrieResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricFiltering;
import org.apache.beam.sdk.metrics.MetricKey;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.metrics.StringSetResult;
import org.apache.beam.sdk.util.HistogramData;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.joda.time.Instant;

/**
 * The Beam metrics of a job on embedded Flink while it runs. Beam's Flink runner hands a streaming
 * operator's metrics to the job result only when the operator closes, but it mirrors them into
 * Flink's metric system after every bundle ({@code <namespace>.<name>} in the operator's group).
 * This bridge is a Flink metric reporter inside the embedded cluster: it keeps those metrics and
 * reads them as Beam results on demand. A metric of an operator that finished keeps its last value;
 * a restarted operator's metric replaces its predecessor's.
 *
 * <p>Embedded Flink takes its configuration only from a directory ({@code --flinkConfDir}): {@link
 * #install} writes one holding the job's own configuration plus this reporter, and points the
 * options at it.
 */
final class FlinkMetricsBridge implements AutoCloseable {

  static final String REPORTER = "beamml";
  private static final String BRIDGE_KEY = "bridge";
  private static final Map<String, FlinkMetricsBridge> OPEN = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();
  private final Map<String, Entry> metrics = new ConcurrentHashMap<>();
  private Path confDir;

  private FlinkMetricsBridge() {}

  /** Whether the options run the job on a Flink cluster inside this JVM. */
  static boolean appliesTo(FlinkPipelineOptions options) {
    String master = options.getFlinkMaster();
    return FlinkRunner.class.isAssignableFrom(options.getRunner())
        && (master == null || master.equals("[local]") || master.equals("[auto]"));
  }

  /**
   * A bridge for one job, with the configuration directory that installs it set on {@code options}.
   */
  static FlinkMetricsBridge install(FlinkPipelineOptions options) {
    FlinkMetricsBridge bridge = new FlinkMetricsBridge();
    String userDir = options.getFlinkConfDir();
    Configuration conf =
        userDir == null || userDir.isBlank()
            ? GlobalConfiguration.loadConfiguration()
            : GlobalConfiguration.loadConfiguration(userDir);
    Map<String, String> entries = new TreeMap<>(conf.toMap());
    String prefix = "metrics.reporter." + REPORTER + ".";
    entries.put(prefix + "factory.class", Factory.class.getName());
    entries.put(prefix + BRIDGE_KEY, bridge.id);
    String reporters = entries.get("metrics.reporters");
    if (reporters != null && !reporters.isBlank()) {
      entries.put("metrics.reporters", reporters + "," + REPORTER);
    }
    try {
      bridge.confDir = Files.createTempDirectory("beamml-flink-conf");
      List<String> lines = new ArrayList<>();
      entries.forEach((k, v) -> lines.add(k + ": " + v));
      Files.write(bridge.confDir.resolve("flink-conf.yaml"), lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the embedded Flink configuration", e);
    }
    options.setFlinkConfDir(bridge.confDir.toString());
    OPEN.put(bridge.id, bridge);
    return bridge;
  }

  /**
   * The job's Beam metrics as Flink holds them now: attempted values, one step per operator
   * subtask.
   */
  MetricResults results() {
    List<MetricResult<Long>> counters = new ArrayList<>();
    List<MetricResult<DistributionResult>> distributions = new ArrayList<>();
    List<MetricResult<GaugeResult>> gauges = new ArrayList<>();
    for (Entry e : metrics.values()) {
      Object value = e.value();
      if (value instanceof Long) {
        counters.add(MetricResult.attempted(e.key, (Long) value));
      } else if (value instanceof DistributionResult) {
        distributions.add(MetricResult.attempted(e.key, (DistributionResult) value));
      } else if (value instanceof GaugeResult) {
        gauges.add(MetricResult.attempted(e.key, (GaugeResult) value));
      }
    }
    return new MetricResults() {
      @Override
      public MetricQueryResults queryMetrics(MetricsFilter filter) {
        return MetricQueryResults.create(
            matching(counters, filter),
            matching(distributions, filter),
            matching(gauges, filter),
            List.<MetricResult<StringSetResult>>of(),
            List.<MetricResult<BoundedTrieResult>>of(),
            List.<MetricResult<HistogramData>>of());
      }
    };
  }

  private static <T> List<MetricResult<T>> matching(
      List<MetricResult<T>> all, MetricsFilter filter) {
    if (filter == null) {
      return all;
    }
    List<MetricResult<T>> out = new ArrayList<>();
    for (MetricResult<T> r : all) {
      if (MetricFiltering.matches(filter, r.getKey())) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public void close() {
    OPEN.remove(id);
    if (confDir != null) {
      try (Stream<Path> files = Files.walk(confDir)) {
        for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove " + confDir, e);
      }
    }
  }

  private void added(Metric metric, String name, MetricGroup group) {
    int dot = name.indexOf('.');
    if (dot <= 0
        || dot == name.length() - 1
        || !(metric instanceof Counter || metric instanceof Gauge)) {
      return;
    }
    Map<String, String> vars = group.getAllVariables();
    // Flink cuts operator names to 80 characters; its operator id tells operators apart.
    String operator = vars.getOrDefault("<operator_id>", vars.get("<operator_name>"));
    if (operator == null) {
      return;
    }
    String step = operator + "#" + vars.getOrDefault("<subtask_index>", "0");
    MetricKey key =
        MetricKey.create(step, MetricName.named(name.substring(0, dot), name.substring(dot + 1)));
    metrics.put(step + "/" + name, new Entry(key, metric));
  }

  private void removed(Metric metric, String name, MetricGroup group) {
    for (Entry e : metrics.values()) {
      if (e.metric == metric) {
        e.freeze();
      }
    }
  }

  /**
   * One Beam metric of one operator subtask; frozen at its last value once Flink drops it. Beam
   * hands Flink a counter as a counter, a distribution as a gauge of its result and a gauge as a
   * gauge of its bare value, whose time of change is taken here, when a read first sees it.
   */
  private static final class Entry {
    final MetricKey key;
    final Metric metric;
    private volatile Object frozen;
    private Object lastGauge;
    private long changedAt;

    Entry(MetricKey key, Metric metric) {
      this.key = key;
      this.metric = metric;
    }

    Object value() {
      Object f = frozen;
      return f != null ? f : read();
    }

    void freeze() {
      frozen = read();
    }

    private synchronized Object read() {
      if (metric instanceof Counter) {
        return ((Counter) metric).getCount();
      }
      Object value = ((Gauge<?>) metric).getValue();
      if (value instanceof Long) {
        if (!value.equals(lastGauge)) {
          lastGauge = value;
          changedAt = System.currentTimeMillis();
        }
        return GaugeResult.create((Long) value, Instant.ofEpochMilli(changedAt));
      }
      return value;
    }
  }

  /** Flink instantiates this (named in the configuration) and it hands each reporter its bridge. */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      String id = properties.getProperty(BRIDGE_KEY);
      return new Reporter(id == null ? null : OPEN.get(id));
    }
  }

  /**
   * Passes Flink's metric registrations to the bridge (none if the bridge was closed meanwhile).
   */
  private static final class Reporter implements MetricReporter {
    private final FlinkMetricsBridge bridge;

    Reporter(FlinkMetricsBridge bridge) {
      this.bridge = bridge;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
      if (bridge != null) {
        bridge.added(metric, metricName, group);
      }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
      if (bridge != null) {
        bridge.removed(metric, metricName, group);
      }
    }
  }
}
