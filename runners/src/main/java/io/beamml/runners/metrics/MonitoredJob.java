package io.beamml.runners.metrics;

import java.util.OptionalInt;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a built pipeline for the launcher: every subcommand's job goes through here. With {@code
 * --metricsPort} ({@link MetricsEndpointOptions}) it first starts a {@link PrometheusEndpoint},
 * then runs the job so that its metrics can be read while it runs (the Direct runner non-blocking,
 * Flink detached), serves them until the job ends, for {@code --metricsLingerSeconds} more, and
 * closes. Without it the job runs as the runner's flags say.
 *
 * <p>On embedded Flink the values come from Flink's metric system while the job runs ({@link
 * FlinkMetricsBridge}: Beam's detached result has a streaming operator's metrics only once it
 * closed), and once the job is done from its final result, read through Flink's job client ({@link
 * DetachedFlinkJob}), exact even though the embedded cluster has shut down by then.
 */
public final class MonitoredJob implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MonitoredJob.class);

  private final PipelineResult result;
  private final @Nullable PrometheusEndpoint endpoint;
  private final @Nullable BeamMetricsCollector metrics;
  private final @Nullable FlinkMetricsBridge flinkMetrics;
  private final int lingerSeconds;

  private MonitoredJob(
      PipelineResult result,
      @Nullable PrometheusEndpoint endpoint,
      @Nullable BeamMetricsCollector metrics,
      @Nullable FlinkMetricsBridge flinkMetrics,
      int lingerSeconds) {
    this.result = result;
    this.endpoint = endpoint;
    this.metrics = metrics;
    this.flinkMetrics = flinkMetrics;
    this.lingerSeconds = lingerSeconds;
  }

  /** Runs {@code p} to its end and returns how it ended; a failed job throws as its runner does. */
  public static PipelineResult.State run(Pipeline p) {
    try (MonitoredJob job = start(p)) {
      return job.awaitEnd();
    }
  }

  /**
   * Starts the endpoint (when asked for) and the job, and returns without waiting for the job.
   *
   * @throws IllegalArgumentException if the metrics port is out of range or taken
   */
  public static MonitoredJob start(Pipeline p) {
    MetricsEndpointOptions flags = p.getOptions().as(MetricsEndpointOptions.class);
    Integer port = flags.getMetricsPort();
    if (port == null) {
      return new MonitoredJob(p.run(), null, null, null, 0);
    }
    int linger = flags.getMetricsLingerSeconds() == null ? 0 : flags.getMetricsLingerSeconds();
    if (linger < 0) {
      throw new IllegalArgumentException("--metricsLingerSeconds must be 0 or more, got " + linger);
    }
    runWithLiveMetrics(p.getOptions());
    BeamMetricsCollector metrics = new BeamMetricsCollector();
    PrometheusEndpoint endpoint =
        PrometheusEndpoint.start(flags.getMetricsBindAddress(), port, metrics);
    FlinkMetricsBridge flinkMetrics = null;
    try {
      FlinkPipelineOptions flink = p.getOptions().as(FlinkPipelineOptions.class);
      if (FlinkMetricsBridge.appliesTo(flink)) {
        flinkMetrics = FlinkMetricsBridge.install(flink);
      }
      PipelineResult result = p.run();
      metrics.follow(flinkMetrics != null ? flinkMetrics::results : result::metrics);
      LOG.info(
          "Serving the job's metrics for Prometheus at http://{}:{}/metrics",
          endpoint.address().getHostAddress(),
          endpoint.port());
      return new MonitoredJob(result, endpoint, metrics, flinkMetrics, linger);
    } catch (RuntimeException e) {
      endpoint.close();
      if (flinkMetrics != null) {
        flinkMetrics.close();
      }
      throw e;
    }
  }

  /**
   * A runner that blocks in {@code run()} until the job is done gives no result, and so no metrics,
   * while the job runs: the Direct runner is told not to block, Flink to run detached.
   */
  static void runWithLiveMetrics(PipelineOptions options) {
    options.as(DirectOptions.class).setBlockOnRun(false);
    options.as(FlinkPipelineOptions.class).setAttachedMode(false);
  }

  public PipelineResult result() {
    return result;
  }

  /** The port metrics are served on; empty without {@code --metricsPort}. */
  public OptionalInt metricsPort() {
    return endpoint == null ? OptionalInt.empty() : OptionalInt.of(endpoint.port());
  }

  /**
   * Waits until the job ends (a streaming job: until it is cancelled or its bounded read is done),
   * then serves its final metrics for the linger time. A failed job throws, after the linger.
   */
  public PipelineResult.State awaitEnd() {
    try {
      if (!DetachedFlinkJob.isDetachedFlink(result)) {
        PipelineResult.State state = result.waitUntilFinish();
        if (metrics != null && flinkMetrics != null) {
          // Flink kept the job attached after all: its result holds the final metrics.
          metrics.follow(result::metrics);
        }
        return state;
      }
      if (metrics != null) {
        // Flink's final accumulators are exact; a cancelled or failed job keeps its last values.
        DetachedFlinkJob.End end;
        try {
          end = DetachedFlinkJob.await(result);
        } catch (RuntimeException e) {
          metrics.freeze();
          throw e;
        }
        MetricResults finalMetrics = end.metrics();
        if (finalMetrics != null) {
          metrics.follow(() -> finalMetrics);
        } else {
          metrics.freeze();
        }
        return end.state();
      }
      return DetachedFlinkJob.await(result).state();
    } finally {
      linger();
    }
  }

  private void linger() {
    if (endpoint == null || lingerSeconds == 0) {
      return;
    }
    LOG.info("The job ended; serving its final metrics for {} s more", lingerSeconds);
    try {
      Thread.sleep(lingerSeconds * 1000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the endpoint; the job itself is not touched. */
  @Override
  public void close() {
    if (endpoint != null) {
      endpoint.close();
    }
    if (flinkMetrics != null) {
      flinkMetrics.close();
    }
  }
}
