package io.beamml.runners.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.Supplier;
import org.apache.beam.sdk.metrics.MetricResults;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a job for its Beam metrics on every scrape and hands them to Prometheus ({@link
 * BeamMetricSnapshots}). When the job cannot be asked (embedded Flink shuts its mini cluster down
 * with the job; a runner's query may fail), the last snapshot it gave is served instead. A query
 * that comes back empty after one that did not is taken for such a failure too: a job's metrics
 * never disappear while it lives, but Beam's detached Flink result answers an empty set once the
 * cluster is gone.
 */
public final class BeamMetricsCollector implements MultiCollector {

  private static final Logger LOG = LoggerFactory.getLogger(BeamMetricsCollector.class);

  private volatile @Nullable Supplier<MetricResults> source;
  private volatile MetricSnapshots last = new MetricSnapshots();
  private volatile boolean failing;

  /**
   * From now on, scrapes ask {@code metrics} (typically a running job's {@code result::metrics}).
   */
  public void follow(Supplier<MetricResults> metrics) {
    this.source = metrics;
  }

  /** Stops asking: scrapes get the last snapshot from now on (for a job whose runner forgot it). */
  public void freeze() {
    this.source = null;
  }

  @Override
  public MetricSnapshots collect() {
    Supplier<MetricResults> metrics = source;
    if (metrics == null) {
      return last;
    }
    MetricSnapshots now;
    try {
      now = BeamMetricSnapshots.of(metrics.get().allMetrics());
    } catch (RuntimeException e) {
      if (!failing) {
        LOG.warn("Cannot query the job's metrics ({}); serving the last values read", e.toString());
        failing = true;
      }
      return last;
    }
    if (now.size() == 0 && last.size() > 0) {
      return last;
    }
    failing = false;
    last = now;
    return now;
  }
}
