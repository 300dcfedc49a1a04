package io.beamml.runners.metrics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import io.beamml.training.drift.FeatureDrift;
import io.beamml.training.drift.WindowDrift;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * What an operator scrapes from real jobs ({@link ScrapedJobs}): the backfill's values equal its
 * run summary, the drift report's gauges equal its comparison, and the streaming job's values are
 * there while it runs, grow as events arrive, and stay served after it ended.
 */
public class JobMetricsScrapeTest {

  private static ScrapedJobs jobs;

  @BeforeClass
  public static void runJobs() throws Exception {
    jobs = ScrapedJobs.get();
  }

  @Test
  public void theBackfillsScrapeEqualsItsRunSummary() {
    assertThat(jobs.backfill.contentType, startsWith("text/plain; version=0.0.4"));
    assertEquals(
        List.of("clicks", "profiles", "sales"),
        SummaryScrapes.assertMatch(jobs.backfillSummary, jobs.backfill));
  }

  @Test
  public void theDriftReportsGaugesHoldItsStatistics() {
    Scrape drift = jobs.driftReport;
    WindowDrift comparison = jobs.driftComparison;
    int gauges = 0;
    for (FeatureDrift f : comparison.features()) {
      assertEquals(
          f.feature() + " PSI",
          f.psi(),
          drift.value("beamml_drift_statistic", Map.of("feature", f.feature(), "statistic", "psi")),
          1e-6);
      assertEquals(
          f.feature() + " PSI flagged",
          0.0,
          drift.value(
              "beamml_drift_drifted_windows_total",
              Map.of("feature", f.feature(), "statistic", "psi")),
          0);
      gauges++;
      if (f.ksStatistic() != null) {
        assertEquals(
            f.feature() + " KS",
            f.ksStatistic(),
            drift.value(
                "beamml_drift_statistic", Map.of("feature", f.feature(), "statistic", "ks")),
            1e-6);
        gauges++;
      }
    }
    assertEquals(gauges, drift.series("beamml_drift_statistic").size());
    assertEquals(1.0, drift.value("beamml_drift_windows_measured_total", Map.of()), 0);
    assertEquals(
        (double) comparison.rows(),
        drift.value("beamml_pipeline_records_in_total", Map.of("source", "features")),
        0);
  }

  @Test
  public void theStreamingJobsScrapeIsLiveAndGrows() {
    Scrape first = jobs.streamFirst;
    Scrape second = jobs.streamSecond;
    assertThat(first.contentType, startsWith("text/plain; version=0.0.4"));
    assertThat(ScrapedJobs.championPredictions(first), greaterThan(0.0));
    assertThat(
        ScrapedJobs.championPredictions(second),
        greaterThan(ScrapedJobs.championPredictions(first)));
    for (Map<String, String> labels :
        second.series("beamml_inference_predictions_total").keySet()) {
      assertEquals(ScrapedJobs.MODEL, labels.get("model"));
      assertNotNull(labels.get("version"));
    }
    double count = second.value("beamml_stream_event_to_prediction_lag_millis_count", Map.of());
    double sum = second.value("beamml_stream_event_to_prediction_lag_millis_sum", Map.of());
    double min = second.value("beamml_stream_event_to_prediction_lag_millis_min", Map.of());
    double max = second.value("beamml_stream_event_to_prediction_lag_millis_max", Map.of());
    assertThat(
        first.value("beamml_stream_event_to_prediction_lag_millis_count", Map.of()),
        greaterThan(0.0));
    assertThat(
        count,
        greaterThan(first.value("beamml_stream_event_to_prediction_lag_millis_count", Map.of())));
    // Events are stamped as they are sent: no lag is negative (beyond clock granularity) or older
    // than the job itself.
    assertThat(min, greaterThanOrEqualTo(-50.0));
    assertThat(max, lessThan((double) jobs.streamFirstMillis + 60_000));
    assertThat(sum, greaterThanOrEqualTo(count * min));
    assertThat(sum, lessThanOrEqualTo(count * max));
    assertThat(
        second.sum("beamml_pipeline_records_in_total", Map.of("source", "clicks")),
        greaterThan(first.sum("beamml_pipeline_records_in_total", Map.of("source", "clicks"))));
    assertThat(second.value("beamml_inference_batch_size_count", Map.of()), greaterThan(0.0));
    assertThat(
        "the feed holds bad rows",
        second.sum("beamml_pipeline_dead_letters_total", Map.of()),
        greaterThan(0.0));
    assertThat(second.names().stream().filter(n -> n.startsWith("jvm_")).count(), greaterThan(10L));
    assertThat(
        "drift inside the stream: statistics of a measured window",
        second.series("beamml_drift_statistic").size(),
        greaterThan(10));
    for (Map.Entry<Map<String, String>, Double> psi :
        second.series("beamml_drift_statistic").entrySet()) {
      assertThat(psi.getKey().toString(), psi.getValue(), greaterThanOrEqualTo(0.0));
    }

    assertEquals(PipelineResult.State.CANCELLED, jobs.streamEnd);
    assertThat(
        "after the job, its last values are served",
        ScrapedJobs.championPredictions(jobs.streamAfterCancel),
        greaterThanOrEqualTo(ScrapedJobs.championPredictions(second)));
  }
}
