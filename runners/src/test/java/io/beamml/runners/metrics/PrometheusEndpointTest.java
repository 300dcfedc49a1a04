package io.beamml.runners.metrics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.transforms.metrics.MetricLabels;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.beam.sdk.metrics.BoundedTrieResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricKey;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.metrics.StringSetResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.HistogramData;
import org.joda.time.Instant;
import org.junit.Assume;
import org.junit.Test;

/** Beam results to Prometheus names, labels and values, served over HTTP by a real endpoint. */
public class PrometheusEndpointTest {

  private final List<MetricResult<Long>> counters = new ArrayList<>();
  private final List<MetricResult<DistributionResult>> distributions = new ArrayList<>();
  private final List<MetricResult<GaugeResult>> gauges = new ArrayList<>();

  @Test
  public void servesBeamMetricsUnderTheAgreedNamesWithTheirLabels() {
    counter(
        "ReadClicks", "pipeline", MetricLabels.name("records_in", "source", "clicks"), 900L, 914L);
    counter(
        "ReadClicks2", "pipeline", MetricLabels.name("records_in", "source", "clicks"), 10L, 10L);
    counter("ReadSales", "pipeline", MetricLabels.name("records_in", "source", "sales"), null, 39L);
    counter("Parse", "parse", "clicks.parsed", 7L, 7L);
    counter("Odd", "Stream", "Clicks-Topic.written_total", 3L, 3L);
    counter("Broken", "pipeline", "broken{source=", 1L, 1L);
    counter("Backlog", "source", "backlog", -1L, -1L);
    counter("BacklogToo", "source", "backlog{split=1}", 4L, 4L);
    distribution("ScoreA", "inference", "batch_size", DistributionResult.create(30, 3, 5, 15));
    distribution("ScoreB", "inference", "batch_size", DistributionResult.create(12, 2, 2, 10));
    gauge(
        "DriftA",
        "drift",
        MetricLabels.name(
            "statistic", "feature", "age", "statistic", "psi", MetricLabels.SCALE, "1000000"),
        GaugeResult.create(120_000, Instant.ofEpochMilli(1_000)));
    gauge(
        "DriftB",
        "drift",
        MetricLabels.name(
            "statistic", "feature", "age", "statistic", "psi", MetricLabels.SCALE, "1000000"),
        GaugeResult.create(250_000, Instant.ofEpochMilli(2_000)));

    BeamMetricsCollector collector = new BeamMetricsCollector();
    collector.follow(() -> results());
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(0, collector)) {
      assertThat(endpoint.port(), greaterThan(0));
      Scrape scrape = Scrape.of(endpoint.port());
      assertThat(scrape.contentType, startsWith("text/plain; version=0.0.4"));
      assertEquals(
          "committed values, summed over steps",
          910.0,
          scrape.value("beamml_pipeline_records_in_total", Map.of("source", "clicks")),
          0);
      assertEquals(
          "attempted where nothing is committed",
          39.0,
          scrape.value("beamml_pipeline_records_in_total", Map.of("source", "sales")),
          0);
      assertEquals(7.0, scrape.value("beamml_parse_clicks_parsed_total", Map.of()), 0);
      assertEquals(3.0, scrape.value("beamml_stream_clicks_topic_written_total", Map.of()), 0);
      assertEquals(
          "a malformed labelled name is taken whole",
          1.0,
          scrape.value("beamml_pipeline_broken_source_total", Map.of()),
          0);
      assertNull(
          "a counter below zero is left out",
          scrape.value("beamml_source_backlog_total", Map.of()));
      assertEquals(4.0, scrape.value("beamml_source_backlog_total", Map.of("split", "1")), 0);
      assertEquals(5.0, scrape.value("beamml_inference_batch_size_count", Map.of()), 0);
      assertEquals(42.0, scrape.value("beamml_inference_batch_size_sum", Map.of()), 0);
      assertEquals(2.0, scrape.value("beamml_inference_batch_size_min", Map.of()), 0);
      assertEquals(15.0, scrape.value("beamml_inference_batch_size_max", Map.of()), 0);
      assertEquals(
          "the latest value, scaled back",
          0.25,
          scrape.value("beamml_drift_statistic", Map.of("feature", "age", "statistic", "psi")),
          1e-12);
      assertThat("the JVM's own metrics", scrape.names(), hasItem("jvm_threads_current"));
      assertThat(scrape.body, containsString("# TYPE beamml_pipeline_records_in_total counter"));
      assertThat(scrape.body, not(containsString("__scale")));
    }
  }

  @Test
  public void servesTheLastValuesWhenTheJobCannotBeAsked() {
    counter("Parse", "pipeline", MetricLabels.name("records_in", "source", "clicks"), 5L, 5L);
    AtomicReference<MetricResults> source = new AtomicReference<>(results());
    BeamMetricsCollector collector = new BeamMetricsCollector();
    collector.follow(
        () -> {
          MetricResults r = source.get();
          if (r == null) {
            throw new IllegalStateException(
                "MiniCluster is not yet running or has already been shut down.");
          }
          return r;
        });
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(0, collector)) {
      assertEquals(
          5.0,
          Scrape.of(endpoint.port())
              .value("beamml_pipeline_records_in_total", Map.of("source", "clicks")),
          0);
      source.set(null);
      assertEquals(
          5.0,
          Scrape.of(endpoint.port())
              .value("beamml_pipeline_records_in_total", Map.of("source", "clicks")),
          0);
      counters.clear();
      source.set(results());
      assertEquals(
          "an empty answer after values is no answer",
          5.0,
          Scrape.of(endpoint.port())
              .value("beamml_pipeline_records_in_total", Map.of("source", "clicks")),
          0);
      collector.freeze();
      assertEquals(
          5.0,
          Scrape.of(endpoint.port())
              .value("beamml_pipeline_records_in_total", Map.of("source", "clicks")),
          0);
    }
  }

  @Test
  public void beforeAJobIsFollowedOnlyTheJvmIsServed() {
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(0, new BeamMetricsCollector())) {
      Scrape scrape = Scrape.of(endpoint.port());
      assertThat(scrape.names(), hasItem("jvm_memory_used_bytes"));
      assertNull(scrape.value("beamml_pipeline_records_in_total", Map.of("source", "clicks")));
    }
  }

  @Test
  public void listensOnLoopbackUnlessToldOtherwise() throws Exception {
    MetricsEndpointOptions flags =
        PipelineOptionsFactory.fromArgs("--metricsPort=0").as(MetricsEndpointOptions.class);
    try (PrometheusEndpoint endpoint =
        PrometheusEndpoint.start(flags.getMetricsBindAddress(), 0, new BeamMetricsCollector())) {
      assertTrue(endpoint.address() + " is loopback", endpoint.address().isLoopbackAddress());
      assertThat(Scrape.of(endpoint.port()).names(), hasItem("jvm_memory_used_bytes"));
      InetAddress external = nonLoopbackAddress();
      Assume.assumeTrue("this host has no non-loopback address to try", external != null);
      try (Socket s = new Socket()) {
        assertThrows(
            "served on " + external,
            ConnectException.class,
            () -> s.connect(new InetSocketAddress(external, endpoint.port()), 2000));
      }
    }
    try (PrometheusEndpoint everywhere =
        PrometheusEndpoint.start("0.0.0.0", 0, new BeamMetricsCollector())) {
      assertTrue(everywhere.address().isAnyLocalAddress());
    }
  }

  private static InetAddress nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (!a.isLoopbackAddress() && a instanceof Inet4Address && nic.isUp()) {
          return a;
        }
      }
    }
    return null;
  }

  @Test
  public void aTakenPortIsAClearError() {
    try (PrometheusEndpoint first = PrometheusEndpoint.start(0, new BeamMetricsCollector())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> PrometheusEndpoint.start(first.port(), new BeamMetricsCollector()));
      assertThat(
          e.getMessage(),
          containsString("--metricsPort=" + first.port() + ": the port is already in use"));
    }
  }

  @Test
  public void namesAreSanitisedWithoutReservedSuffixes() {
    assertEquals(
        "beamml_stream_clicks_written",
        BeamMetricSnapshots.prometheusName("stream", "clicks.written"));
    assertEquals(
        "beamml_org_apache_beam_kafkaio_backlog",
        BeamMetricSnapshots.prometheusName("org.apache.Beam", "KafkaIO..backlog_total"));
  }

  private void counter(String step, String namespace, String name, Long committed, Long attempted) {
    counters.add(
        MetricResult.create(
            MetricKey.create(step, MetricName.named(namespace, name)), committed, attempted));
  }

  private void distribution(String step, String namespace, String name, DistributionResult value) {
    distributions.add(
        MetricResult.create(
            MetricKey.create(step, MetricName.named(namespace, name)), value, value));
  }

  private void gauge(String step, String namespace, String name, GaugeResult value) {
    gauges.add(
        MetricResult.create(
            MetricKey.create(step, MetricName.named(namespace, name)), value, value));
  }

  private MetricResults results() {
    MetricQueryResults all =
        MetricQueryResults.create(
            List.copyOf(counters),
            List.copyOf(distributions),
            List.copyOf(gauges),
            List.<MetricResult<StringSetResult>>of(),
            List.<MetricResult<BoundedTrieResult>>of(),
            List.<MetricResult<HistogramData>>of());
    return new MetricResults() {
      @Override
      public MetricQueryResults queryMetrics(MetricsFilter filter) {
        return all;
      }
    };
  }
}
