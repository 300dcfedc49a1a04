package io.beamml.runners.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;

/**
 * An HTTP server answering {@code GET /metrics} in Prometheus' text format (or OpenMetrics when
 * asked): the given collector's metrics and the JVM's own ({@code jvm_*}, {@code process_*}). Each
 * endpoint has its own registry, so several can run in one JVM.
 */
public final class PrometheusEndpoint implements AutoCloseable {

  private final HTTPServer server;

  private PrometheusEndpoint(HTTPServer server) {
    this.server = server;
  }

  /**
   * Starts serving on {@code port} of every local address; 0 picks a free port ({@link #port()}).
   *
   * @throws IllegalArgumentException if the port is taken
   */
  public static PrometheusEndpoint start(int port, MultiCollector metrics) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--metricsPort must be 0 (any free port) to 65535, got " + port);
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(metrics);
    JvmMetrics.builder().register(registry);
    try {
      return new PrometheusEndpoint(HTTPServer.builder().port(port).registry(registry).buildAndStart());
    } catch (BindException e) {
      throw new IllegalArgumentException("--metricsPort=" + port + ": the port is already in use ("
          + e.getMessage() + "); pick another, or 0 for any free port", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the metrics endpoint on port " + port, e);
    }
  }

  /** The port it listens on. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
