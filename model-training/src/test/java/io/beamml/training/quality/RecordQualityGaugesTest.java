package io.beamml.training.quality;

import static org.junit.Assert.assertEquals;

import io.beamml.transforms.metrics.MetricLabels;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * The stream's gauges follow the latest day with enough positives: a new day's thin first pane does
 * not replace it, a late pane of an older day does not move it back, and the new day takes over
 * once it has enough positives.
 */
public class RecordQualityGaugesTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  /**
   * A day of positives at {@code positiveScore} and negatives at 0.5; at least 10 positives alarm.
   */
  private static QualityRow row(String day, int positives, int negatives, double positiveScore) {
    ScoreHistogram h = new ScoreHistogram();
    for (int i = 0; i < positives; i++) {
      h.add(positiveScore, true);
    }
    for (int i = 0; i < negatives; i++) {
      h.add(0.5, false);
    }
    return QualityRow.of(new QualityKey(day, "promo", "1", "champion"), h, 10, 0.8);
  }

  private static final QualityRow JUDGED = row("2026-01-05", 20, 20, 0.9); // AUC 1, alarmable
  private static final QualityRow THIN_NEXT =
      row("2026-01-06", 2, 20, 0.1); // AUC 0, too few positives
  private static final QualityRow LATE_OLDER =
      row("2026-01-04", 30, 30, 0.1); // AUC 0, alarmable, older
  private static final QualityRow FULL_NEXT =
      row("2026-01-06", 12, 20, 0.2); // AUC 0, alarmable now

  @Test
  public void aThinNewDayAndALateOlderDayLeaveTheJudgedDayShown() {
    p.apply(
            TestStream.create(SerializableCoder.of(QualityRow.class))
                .addElements(JUDGED)
                .advanceWatermarkTo(new Instant(1000))
                .addElements(THIN_NEXT)
                .advanceWatermarkTo(new Instant(2000))
                .addElements(LATE_OLDER)
                .advanceWatermarkToInfinity())
        .apply(RecordQualityGauges.inStream());
    Map<String, Long> gauges = gauges(p.run());
    assertEquals(Long.valueOf(1_000_000), gauges.get(scaled("auc")));
    assertEquals(Long.valueOf(40), gauges.get(count("rows")));
    assertEquals(Long.valueOf(1), gauges.get(count("alarmable")));
  }

  @Test
  public void theNewDayTakesOverOnceItHasEnoughPositives() {
    p.apply(
            TestStream.create(SerializableCoder.of(QualityRow.class))
                .addElements(JUDGED)
                .advanceWatermarkTo(new Instant(1000))
                .addElements(THIN_NEXT)
                .advanceWatermarkTo(new Instant(2000))
                .addElements(FULL_NEXT)
                .advanceWatermarkToInfinity())
        .apply(RecordQualityGauges.inStream());
    Map<String, Long> gauges = gauges(p.run());
    assertEquals(Long.valueOf(0), gauges.get(scaled("auc")));
    assertEquals(Long.valueOf(32), gauges.get(count("rows")));
    assertEquals(Long.valueOf(1), gauges.get(count("alarmable")));
  }

  private static String count(String family) {
    return MetricLabels.name(family, "model", "promo", "version", "1", "variant", "champion");
  }

  private static String scaled(String family) {
    return MetricLabels.name(
        family,
        "model",
        "promo",
        "version",
        "1",
        "variant",
        "champion",
        MetricLabels.SCALE,
        "1000000");
  }

  private static Map<String, Long> gauges(PipelineResult run) {
    run.waitUntilFinish();
    Map<String, Long> out = new HashMap<>();
    for (MetricResult<GaugeResult> g :
        run.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(RecordQualityGauges.NAMESPACE))
                    .build())
            .getGauges()) {
      out.put(g.getName().getName(), g.getAttempted().getValue());
    }
    return out;
  }
}
