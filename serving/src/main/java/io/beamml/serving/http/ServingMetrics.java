package io.beamml.serving.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The server's Prometheus metrics, in its own registry (served at {@code /metrics} on the serving
 * port): latency per endpoint, requests by endpoint and status, the online store's read latency,
 * predictions by model version and variant, unknown customers and readiness.
 */
public final class ServingMetrics {

  /** Buckets from half a millisecond: the goals are in single milliseconds. */
  private static final double[] BUCKETS = {
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5
  };

  final PrometheusRegistry registry = new PrometheusRegistry();
  final Histogram latency =
      Histogram.builder()
          .name("beamml_serving_request_duration_seconds")
          .help("Time from request received to response written, per endpoint")
          .labelNames("endpoint")
          .classicUpperBounds(BUCKETS)
          .classicOnly()
          .register(registry);
  final Counter requests =
      Counter.builder()
          .name("beamml_serving_requests_total")
          .help("Requests answered, by endpoint and HTTP status")
          .labelNames("endpoint", "status")
          .register(registry);
  final Histogram redisLatency =
      Histogram.builder()
          .name("beamml_serving_online_store_read_duration_seconds")
          .help("One round trip to the Redis online store for the customers of one request")
          .classicUpperBounds(BUCKETS)
          .classicOnly()
          .register(registry);
  final Counter predictions =
      Counter.builder()
          .name("beamml_serving_predictions_total")
          .help("Customers scored, by model, model version and variant")
          .labelNames("model", "model_version", "variant")
          .register(registry);
  final Counter unknownCustomers =
      Counter.builder()
          .name("beamml_serving_unknown_customers_total")
          .help("Customers scored that the online store did not know (zero activity, no profile)")
          .register(registry);
  final Gauge ready =
      Gauge.builder()
          .name("beamml_serving_ready")
          .help("1 when the last readiness check found the model loaded and Redis answering")
          .register(registry);

  public PrometheusRegistry registry() {
    return registry;
  }
}
