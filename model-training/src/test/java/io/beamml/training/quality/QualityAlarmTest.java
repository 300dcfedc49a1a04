package io.beamml.training.quality;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class QualityAlarmTest {

  /** A day whose AUC is exactly {@code auc} (a fraction of 100 x 100 pairs) with 100 positives. */
  static QualityRow day(int day, double auc, long minPositives, Double testAuc) {
    ScoreHistogram h = new ScoreHistogram();
    int wins = (int) Math.round(auc * 100);
    // 100 positives at 0.5; 'wins' negatives below them, the rest above.
    h.add(0.5, 0, 100);
    h.add(0.1, wins, 0);
    h.add(0.9, 100 - wins, 0);
    return QualityRow.of(
        new QualityKey(String.format("2026-01-%02d", day), "m", "1", "champion"),
        h,
        minPositives,
        testAuc);
  }

  @Test
  public void firesAfterTheGivenDaysInARowBelowTestMinusTolerance() {
    QualityAlarm alarm = new QualityAlarm(0.05, 3);
    List<QualityRow> rows = new ArrayList<>();
    rows.add(day(1, 0.80, 30, 0.80));
    rows.add(day(2, 0.70, 30, 0.80));
    rows.add(day(3, 0.70, 30, 0.80));
    assertEquals(0.70, rows.get(2).metrics().auc(), 1e-12);
    assertEquals(2, alarm.daysBelow(rows));
    assertFalse(alarm.firing(rows));
    rows.add(day(4, 0.74, 30, 0.80));
    assertTrue(alarm.firing(rows));
    rows.add(day(5, 0.76, 30, 0.80));
    assertFalse("0.76 is within the tolerance of 0.80", alarm.firing(rows));
  }

  @Test
  public void thinDaysAndUnknownTestAucNeverAlarm() {
    QualityAlarm alarm = new QualityAlarm(0.05, 1);
    assertFalse(alarm.firing(List.of(day(1, 0.5, 101, 0.8))));
    assertFalse(alarm.firing(List.of(day(1, 0.5, 30, null))));
    assertTrue(alarm.firing(List.of(day(1, 0.5, 100, 0.8))));
  }
}
