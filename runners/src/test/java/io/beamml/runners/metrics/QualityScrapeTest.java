package io.beamml.runners.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.Test;

/**
 * The quality report's gauges, scraped from its endpoint: per model version and variant, the values
 * of its latest day with both classes in quality.json, fractions divided back from millionths, and
 * the version's test AUC from the registry.
 */
public class QualityScrapeTest {

  @Test
  public void gaugesCarryTheLatestMeasuredDayOfTheReadOut() throws Exception {
    ScrapedJobs jobs = ScrapedJobs.get();
    JsonNode latest = null;
    for (JsonNode row : jobs.qualityReadout.path("rows")) {
      if (row.path("auc").isNumber()) {
        latest = row;
      }
    }
    assertNotNull("the sample has a day with both classes: " + jobs.qualityReadout, latest);
    Map<String, String> labels =
        Map.of("model", ScrapedJobs.QUALITY_MODEL, "version", "1", "variant", "champion");
    assertEquals(
        latest.path("auc").asDouble(),
        jobs.qualityReport.value("beamml_quality_auc", labels),
        1e-6);
    assertEquals(
        ScrapedJobs.QUALITY_TEST_AUC,
        jobs.qualityReport.value("beamml_quality_test_auc", labels),
        1e-6);
    assertEquals(
        latest.path("log_loss").asDouble(),
        jobs.qualityReport.value("beamml_quality_log_loss", labels),
        1e-6);
    assertEquals(
        latest.path("rows").asDouble(),
        jobs.qualityReport.value("beamml_quality_rows", labels),
        0.0);
    assertEquals(
        latest.path("alarmable").asBoolean() ? 1.0 : 0.0,
        jobs.qualityReport.value("beamml_quality_alarmable", labels),
        0.0);
    assertTrue(jobs.qualityReport.sum("beamml_quality_responses_matched_total", Map.of()) > 0);
  }
}
