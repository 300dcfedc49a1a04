package io.beamml.training.drift;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.training.testing.DriftData;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.metrics.MetricLabels;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * Drift on generated rows whose features are independent: shifting clicks_7d up by one click must
 * flag clicks_7d and nothing else; unshifted rows must raise nothing.
 */
public class DetectDriftTest implements Serializable {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final ReferenceProfile REFERENCE = DriftData.reference(5000, 1);
  private static final long HOUR = 3_600_000L;

  private PCollection<FeatureRow> create(List<FeatureRow> rows) {
    return p.apply("CreateRows", Create.of(rows).withCoder(AvroCoder.specific(FeatureRow.class)));
  }

  @Test
  public void aShiftInOneFeatureFlagsExactlyThatFeature() {
    List<FeatureRow> rows = DriftData.rows(2000, 2, "cur", DriftData.START, 1000, 1);
    DetectDrift.Result drift = create(rows).apply(DetectDrift.against(REFERENCE, "promo", "3"));

    PAssert.that(drift.records())
        .satisfies(
            records -> {
              Set<String> flagged = new TreeSet<>();
              for (DriftRecord r : records) {
                flagged.add(r.getFeature() + "/" + r.getStatistic());
                assertTrue(r.getDrifted());
                assertTrue(r.getValue() > r.getThreshold());
                assertNull(r.getWindowStart());
                assertNull(r.getWindowEnd());
                assertEquals("promo", r.getModelName());
                assertEquals("3", r.getModelVersion());
                assertEquals(2000L, r.getRows());
              }
              assertEquals(Set.of("clicks_7d/ks", "clicks_7d/psi"), flagged);
              return null;
            });
    PAssert.thatSingleton(drift.windows())
        .satisfies(
            window -> {
              printFigures("shifted clicks_7d (+1), 2000 rows vs 5000 training rows", window);
              assertEquals(List.of("clicks_7d"), window.driftedFeatures());
              FeatureDrift clicks = window.feature("clicks_7d");
              // A sixth of the rows leave the bin of 0 (now empty) for the bin above 5 (empty in
              // training):
              // 2 (1/6 - 1e-4) ln((1/6) / 1e-4) = 2.47.
              assertEquals(2.47, clicks.psi(), 0.1);
              assertEquals(1.0 / 6, clicks.ksStatistic(), 0.03);
              assertTrue(clicks.ksPValue() < 1e-10);
              return null;
            });
    PAssert.that(drift.failures()).empty();

    PipelineResult result = p.run();
    result.waitUntilFinish();
    Map<String, Long> counters = driftCounters(result);
    assertEquals(Long.valueOf(1), counters.get(drifted("clicks_7d", WindowDrift.PSI)));
    assertEquals(Long.valueOf(1), counters.get(drifted("clicks_7d", WindowDrift.KS)));
    assertEquals(Long.valueOf(1), counters.get("windows_measured"));
    int series = 0;
    for (Map.Entry<String, Long> c : counters.entrySet()) {
      if (c.getKey().startsWith(DetectDrift.DRIFTED_WINDOWS)) {
        series++;
        assertEquals(
            c.getKey(), c.getKey().contains("feature=clicks_7d,") ? 1L : 0L, (long) c.getValue());
      }
    }
    assertEquals("every measured statistic has its series", 20, series);
    assertEquals(Long.valueOf(0), counters.get("windows_below_min_rows"));
    Map<String, Long> gauges = driftGauges(result);
    assertEquals(
        "a PSI and a KS gauge per numeric feature, a PSI gauge per categorical one",
        20,
        gauges.size());
    assertEquals(2.47e6, gauges.get(statistic("clicks_7d", WindowDrift.PSI)), 0.1e6);
    assertEquals(1e6 / 6, gauges.get(statistic("clicks_7d", WindowDrift.KS)), 0.03e6);
  }

  @Test
  public void unshiftedDataRaisesNothing() {
    List<FeatureRow> rows = DriftData.rows(2000, 2, "cur", DriftData.START, 1000, 0);
    PCollection<FeatureRow> input = create(rows);
    DetectDrift.Result drift =
        input.apply("DetectDrift", DetectDrift.against(REFERENCE, "promo", "3"));
    DetectDrift.Result all =
        input.apply(
            "DetectDriftAllStatistics",
            DetectDrift.against(REFERENCE, "promo", "3").withAllStatistics());

    PAssert.that(drift.records()).empty();
    PAssert.that(all.records())
        .satisfies(
            records -> {
              int psi = 0;
              int ks = 0;
              for (DriftRecord r : records) {
                assertFalse(
                    r.getFeature() + " " + r.getStatistic() + " " + r.getValue(), r.getDrifted());
                assertTrue(r.getValue() <= r.getThreshold());
                psi += r.getStatistic().equals(WindowDrift.PSI) ? 1 : 0;
                ks += r.getStatistic().equals(WindowDrift.KS) ? 1 : 0;
              }
              assertEquals(11, psi);
              assertEquals(9, ks);
              return null;
            });
    PAssert.thatSingleton(drift.windows())
        .satisfies(
            window -> {
              printFigures("unshifted, 2000 rows vs 5000 training rows", window);
              assertTrue(window.measured());
              assertTrue(window.driftedFeatures().isEmpty());
              for (FeatureDrift f : window.features()) {
                assertTrue(f.feature() + " PSI " + f.psi(), f.psi() < 0.05);
              }
              return null;
            });

    PipelineResult result = p.run();
    result.waitUntilFinish();
    for (Map.Entry<String, Long> c : driftCounters(result).entrySet()) {
      if (c.getKey().startsWith(DetectDrift.DRIFTED_WINDOWS)) {
        assertEquals(c.getKey(), 0L, (long) c.getValue());
      }
    }
    Map<String, Long> gauges = driftGauges(result);
    assertEquals(20, gauges.size());
    assertTrue(gauges.get(statistic("age", WindowDrift.PSI)) < 0.05e6);
  }

  @Test
  public void eachWindowIsComparedOnItsOwn() {
    long hour0 = DriftData.START - DriftData.START % HOUR + HOUR;
    List<TimestampedValue<FeatureRow>> rows = new ArrayList<>();
    // Hour 0 as trained, hour 1 shifted, hour 2 shifted but too small to judge.
    for (FeatureRow r : DriftData.rows(600, 3, "h0", hour0, 5000, 0)) {
      rows.add(TimestampedValue.of(r, new Instant(r.getEventTime())));
    }
    for (FeatureRow r : DriftData.rows(600, 4, "h1", hour0 + HOUR, 5000, 1)) {
      rows.add(TimestampedValue.of(r, new Instant(r.getEventTime())));
    }
    for (FeatureRow r : DriftData.rows(50, 5, "h2", hour0 + 2 * HOUR, 5000, 1)) {
      rows.add(TimestampedValue.of(r, new Instant(r.getEventTime())));
    }
    DetectDrift.Result drift =
        p.apply(
                "CreateRows",
                Create.timestamped(rows).withCoder(AvroCoder.specific(FeatureRow.class)))
            .apply("HourlyWindows", Window.into(FixedWindows.of(Duration.standardHours(1))))
            .apply(DetectDrift.against(REFERENCE, "promo", "3"));

    PAssert.that(drift.records())
        .satisfies(
            records -> {
              Set<String> flagged = new TreeSet<>();
              for (DriftRecord r : records) {
                flagged.add(r.getFeature() + "/" + r.getStatistic());
                assertEquals(Long.valueOf(hour0 + HOUR), r.getWindowStart());
                assertEquals(Long.valueOf(hour0 + 2 * HOUR), r.getWindowEnd());
                assertEquals(600L, r.getRows());
              }
              assertEquals(Set.of("clicks_7d/ks", "clicks_7d/psi"), flagged);
              return null;
            });
    PAssert.that(drift.windows())
        .satisfies(
            windows -> {
              Map<Long, WindowDrift> byStart = new HashMap<>();
              for (WindowDrift w : windows) {
                byStart.put(w.windowStart(), w);
              }
              assertEquals(3, byStart.size());
              assertTrue(byStart.get(hour0).driftedFeatures().isEmpty());
              assertEquals(List.of("clicks_7d"), byStart.get(hour0 + HOUR).driftedFeatures());
              WindowDrift small = byStart.get(hour0 + 2 * HOUR);
              assertEquals(50, small.rows());
              assertFalse(small.measured());
              assertTrue(small.driftedFeatures().isEmpty());
              assertTrue(
                  "the shift shows, but is not flagged", small.feature("clicks_7d").psi() > 0.2);
              return null;
            });

    PipelineResult result = p.run();
    result.waitUntilFinish();
    Map<String, Long> counters = driftCounters(result);
    assertEquals(Long.valueOf(2), counters.get("windows_measured"));
    assertEquals(Long.valueOf(1), counters.get("windows_below_min_rows"));
    assertEquals(Long.valueOf(1), counters.get(drifted("clicks_7d", WindowDrift.PSI)));
    assertEquals(Long.valueOf(1), counters.get(drifted("clicks_7d", WindowDrift.KS)));
  }

  @Test
  public void rowsItCannotCompareLeaveAsDeadLetters() {
    List<FeatureRow> rows = new ArrayList<>(DriftData.rows(200, 6, "ok", DriftData.START, 1000, 0));
    FeatureRow other =
        FeatureRow.newBuilder(rows.get(0))
            .setEventId("other-spec")
            .setSpecFingerprint("0123abcd")
            .build();
    List<FeatureValue> reordered = new ArrayList<>(rows.get(1).getFeatures());
    java.util.Collections.swap(reordered, 0, 1);
    FeatureRow shuffled =
        FeatureRow.newBuilder(rows.get(1)).setEventId("shuffled").setFeatures(reordered).build();
    rows.add(other);
    rows.add(shuffled);

    DetectDrift.Result drift =
        create(rows).apply(DetectDrift.against(REFERENCE, "promo", "3").withAllStatistics());
    PAssert.that(drift.failures())
        .satisfies(
            failures -> {
              Map<String, String> reasons = new HashMap<>();
              for (DeadLetter d : failures) {
                reasons.put(d.getReason(), d.getStep());
              }
              assertEquals(
                  Map.of(
                      Reasons.SPEC_MISMATCH,
                      DetectDrift.STEP,
                      Reasons.MISSING_FEATURE,
                      DetectDrift.STEP),
                  reasons);
              return null;
            });
    PAssert.thatSingleton(drift.windows())
        .satisfies(
            window -> {
              assertEquals(200, window.rows());
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void anEmptyBatchIsOneUnmeasuredComparison() {
    DetectDrift.Result drift =
        create(List.of()).apply(DetectDrift.against(REFERENCE, "promo", "3").withAllStatistics());
    PAssert.that(drift.records()).empty();
    PAssert.thatSingleton(drift.windows())
        .satisfies(
            window -> {
              assertEquals(0, window.rows());
              assertFalse(window.measured());
              assertNull(window.feature("age").psi());
              assertNull(window.feature("age").ksStatistic());
              return null;
            });
    p.run().waitUntilFinish();
  }

  private static Map<String, Long> driftCounters(PipelineResult result) {
    Map<String, Long> counters = new HashMap<>();
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(DetectDrift.METRICS_NAMESPACE))
                    .build())
            .getCounters()) {
      counters.merge(c.getName().getName(), c.getAttempted(), Long::sum);
    }
    return counters;
  }

  private static Map<String, Long> driftGauges(PipelineResult result) {
    Map<String, Long> gauges = new HashMap<>();
    for (MetricResult<GaugeResult> g :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(DetectDrift.METRICS_NAMESPACE))
                    .build())
            .getGauges()) {
      gauges.put(g.getName().getName(), g.getAttempted().getValue());
    }
    return gauges;
  }

  private static String drifted(String feature, String statistic) {
    return MetricLabels.name(
        DetectDrift.DRIFTED_WINDOWS, "feature", feature, "statistic", statistic);
  }

  private static String statistic(String feature, String statistic) {
    return MetricLabels.name(
        DetectDrift.STATISTIC,
        "feature",
        feature,
        "statistic",
        statistic,
        MetricLabels.SCALE,
        "1000000");
  }

  static void printFigures(String what, WindowDrift window) {
    StringBuilder b = new StringBuilder("drift figures: " + what + "\n");
    b.append(
        String.format(
            Locale.ROOT,
            "  %-12s %8s %6s %8s %8s %10s %s%n",
            "feature",
            "PSI",
            "PSI>",
            "KS D",
            "KS D>",
            "KS p",
            "drifted"));
    for (FeatureDrift f : window.features()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-12s %8.4f %6.2f %8s %8s %10s %s%n",
              f.feature(),
              f.psi(),
              window.thresholds().psi(),
              f.ksStatistic() == null ? "-" : String.format(Locale.ROOT, "%.4f", f.ksStatistic()),
              f.ksThreshold() == null ? "-" : String.format(Locale.ROOT, "%.4f", f.ksThreshold()),
              f.ksPValue() == null ? "-" : String.format(Locale.ROOT, "%.3g", f.ksPValue()),
              f.drifted() ? "YES" : "no"));
    }
    System.out.print(b);
  }
}
