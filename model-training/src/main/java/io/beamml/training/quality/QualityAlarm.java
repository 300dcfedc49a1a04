package io.beamml.training.quality;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The condition of the alert rule {@code BeammlLiveAucBelowTest}, over computed rows: a model
 * version and variant whose live AUC was below its test AUC minus {@code tolerance} on each of its
 * last {@code days} measured days. A day without enough positives ({@link QualityRow#alarmable})
 * breaks the run, as the rule's {@code alarmable == 1} does.
 */
public record QualityAlarm(double tolerance, int days) implements java.io.Serializable {

  public static final double DEFAULT_TOLERANCE = 0.05;
  public static final int DEFAULT_DAYS = 3;

  public QualityAlarm {
    if (!(tolerance >= 0)) {
      throw new IllegalArgumentException(
          "the AUC tolerance must be zero or more, got " + tolerance);
    }
    if (days < 1) {
      throw new IllegalArgumentException("the alert needs at least one day, got " + days);
    }
  }

  /** Days in a row, ending with the latest, below the test AUC minus the tolerance. */
  public int daysBelow(List<QualityRow> rowsOfOneVariant) {
    List<QualityRow> sorted = new ArrayList<>(rowsOfOneVariant);
    sorted.sort(Comparator.comparing(r -> r.key().day()));
    int run = 0;
    for (int i = sorted.size() - 1; i >= 0 && sorted.get(i).belowTest(tolerance); i--) {
      run++;
    }
    return run;
  }

  public boolean firing(List<QualityRow> rowsOfOneVariant) {
    return daysBelow(rowsOfOneVariant) >= days;
  }
}
