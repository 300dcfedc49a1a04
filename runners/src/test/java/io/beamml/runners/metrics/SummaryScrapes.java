package io.beamml.runners.metrics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks a batch job's scrape against the run summary it wrote. */
final class SummaryScrapes {

  private SummaryScrapes() {}

  /**
   * Records in, duplicates and dead letters (per reason and in all) of every source in the summary
   * equal the scraped counters; returns the sources.
   */
  static List<String> assertMatch(JsonNode summary, Scrape scrape) {
    List<String> sources = new ArrayList<>();
    summary.path("sources").fieldNames().forEachRemaining(sources::add);
    for (String source : sources) {
      JsonNode counts = summary.path("sources").path(source);
      assertEquals(
          source + " records in",
          counts.path("records_in").asLong(),
          scrape.value("beamml_pipeline_records_in_total", Map.of("source", source)),
          0);
      assertEquals(
          source + " duplicates",
          counts.path("duplicates").asLong(),
          scrape.value("beamml_dedup_duplicates_total", Map.of("source", source)),
          0);
      long deadLetters = 0;
      Iterator<Map.Entry<String, JsonNode>> reasons = counts.path("dead_letters").fields();
      while (reasons.hasNext()) {
        Map.Entry<String, JsonNode> reason = reasons.next();
        deadLetters += reason.getValue().asLong();
        assertEquals(
            source + " dead letters for " + reason.getKey(),
            reason.getValue().asLong(),
            scrape.sum(
                "beamml_pipeline_dead_letters_total",
                Map.of("source", source, "reason", reason.getKey())),
            0);
      }
      assertEquals(
          source + " dead letters",
          deadLetters,
          scrape.sum("beamml_pipeline_dead_letters_total", Map.of("source", source)),
          0);
    }
    assertThat(
        "the sample has dead letters of many reasons",
        scrape.series("beamml_pipeline_dead_letters_total").size(),
        greaterThan(10));
    for (Map<String, String> labels :
        scrape.series("beamml_pipeline_dead_letters_total").keySet()) {
      assertEquals(Set.of("source", "step", "reason"), labels.keySet());
    }
    return sources;
  }
}
