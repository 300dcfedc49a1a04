package io.beamml.runners.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An HTTP server answering {@code GET /metrics} in Prometheus' text format (or OpenMetrics when
 * asked): the given collector's metrics and the JVM's own ({@code jvm_*}, {@code process_*}). Each
 * endpoint has its own registry, so several can run in one JVM.
 */
public final class PrometheusEndpoint implements AutoCloseable {

  /** The default address: the loopback interface, so only this machine can scrape. */
  public static final String LOOPBACK = "127.0.0.1";

  private final HTTPServer server;
  private final InetAddress address;

  private PrometheusEndpoint(HTTPServer server, InetAddress address) {
    this.server = server;
    this.address = address;
  }

  /**
   * Starts serving on {@code port} of the loopback interface; see {@link #start(String, int,
   * MultiCollector)}.
   */
  public static PrometheusEndpoint start(int port, MultiCollector metrics) {
    return start(LOOPBACK, port, metrics);
  }

  /**
   * Starts serving on {@code port} of {@code bindAddress} (0.0.0.0: every interface); port 0 picks
   * a free port ({@link #port()}).
   *
   * @throws IllegalArgumentException if the port is taken or the address is not one of this host's
   */
  public static PrometheusEndpoint start(String bindAddress, int port, MultiCollector metrics) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "--metricsPort must be 0 (any free port) to 65535, got " + port);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(bindAddress);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "--metricsBindAddress=" + bindAddress + " is not a known address", e);
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(metrics);
    JvmMetrics.builder().register(registry);
    try {
      return new PrometheusEndpoint(
          HTTPServer.builder().inetAddress(address).port(port).registry(registry).buildAndStart(),
          address);
    } catch (BindException e) {
      throw new IllegalArgumentException(
          "--metricsPort="
              + port
              + ": the port is already in use ("
              + e.getMessage()
              + "); pick another, or 0 for any free port",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the metrics endpoint on port " + port, e);
    }
  }

  /** The address it listens on. */
  public InetAddress address() {
    return address;
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
