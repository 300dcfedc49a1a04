package io.beamml.runners.metrics;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Flags of the Prometheus endpoint that a job launched from {@code ./pipeline} can serve. */
public interface MetricsEndpointOptions extends PipelineOptions {

  @Description(
      "Serve the job's Beam metrics (and the JVM's) for Prometheus at http://HOST:PORT/metrics while it runs;"
          + " unset serves nothing, 0 picks a free port. The job then runs non-blocking (Direct) or detached (Flink)"
          + " so the values are live")
  Integer getMetricsPort();

  void setMetricsPort(Integer value);

  @Description(
      "With --metricsPort: the address to listen on; the default serves this machine alone, 0.0.0.0 every"
          + " interface (the metrics name steps, models and features, not customers)")
  @Default.String(PrometheusEndpoint.LOOPBACK)
  String getMetricsBindAddress();

  void setMetricsBindAddress(String value);

  @Description(
      "With --metricsPort: keep serving the final values this many seconds after the job ends,"
          + " so a Prometheus scrape interval can catch them")
  @Default.Integer(0)
  Integer getMetricsLingerSeconds();

  void setMetricsLingerSeconds(Integer value);
}
