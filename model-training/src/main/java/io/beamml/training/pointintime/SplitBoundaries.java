package io.beamml.training.pointintime;

import io.beamml.training.data.Split;
import java.io.Serializable;

/**
 * Where a training set is cut in time. Send times before {@link #validationFrom()} are train, those
 * from it up to (not including) {@link #testFrom()} validation, the rest test. Both cut points are
 * themselves send times, so examples sharing a send time share a split, and every test example is
 * strictly later than every validation example, which is strictly later than every train example:
 * evaluation always looks forward in time, as the deployed model will.
 *
 * <p>An empty split has its cut point at {@link Long#MAX_VALUE} (or equal to the next one); send
 * times that far out are rejected by validation long before they get here.
 */
public final class SplitBoundaries implements Serializable {

  private static final long serialVersionUID = 1L;

  private final long validationFrom;
  private final long testFrom;

  private SplitBoundaries(long validationFrom, long testFrom) {
    if (validationFrom > testFrom) {
      throw new IllegalArgumentException(
          "validation must start no later than test: " + validationFrom + " > " + testFrom);
    }
    this.validationFrom = validationFrom;
    this.testFrom = testFrom;
  }

  public static SplitBoundaries of(long validationFrom, long testFrom) {
    return new SplitBoundaries(validationFrom, testFrom);
  }

  /**
   * Cuts ascending distinct send times by count: the latest {@code round(n * testFraction)} are
   * test, the {@code round(n * validationFraction)} before them validation, the rest train. Train
   * keeps at least one send time when there is any, taken back from validation first.
   */
  public static SplitBoundaries fromDistinctTimes(
      long[] ascendingDistinct, double validationFraction, double testFraction) {
    checkFractions(validationFraction, testFraction);
    int n = ascendingDistinct.length;
    for (int i = 1; i < n; i++) {
      if (ascendingDistinct[i - 1] >= ascendingDistinct[i]) {
        throw new IllegalArgumentException(
            "send times must be ascending and distinct at index " + i);
      }
    }
    long test = Math.round(n * testFraction);
    long validation = Math.round(n * validationFraction);
    long excess = test + validation - (n - Math.min(n, 1));
    if (excess > 0) {
      long fromValidation = Math.min(excess, validation);
      validation -= fromValidation;
      test -= excess - fromValidation;
    }
    int testStart = (int) (n - test);
    int validationStart = (int) (testStart - validation);
    return new SplitBoundaries(
        at(ascendingDistinct, validationStart), at(ascendingDistinct, testStart));
  }

  /** Fractions must each be in [0, 1) and leave room for train. */
  public static void checkFractions(double validationFraction, double testFraction) {
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "validation fraction must be in [0, 1), got " + validationFraction);
    }
    if (!(testFraction >= 0 && testFraction < 1)) {
      throw new IllegalArgumentException("test fraction must be in [0, 1), got " + testFraction);
    }
    if (validationFraction + testFraction >= 1) {
      throw new IllegalArgumentException(
          "validation and test fractions must leave some train, got "
              + validationFraction
              + " + "
              + testFraction);
    }
  }

  private static long at(long[] times, int index) {
    return index < times.length ? times[index] : Long.MAX_VALUE;
  }

  public Split splitOf(long sentTime) {
    if (sentTime >= testFrom) {
      return Split.test;
    }
    return sentTime >= validationFrom ? Split.validation : Split.train;
  }

  /** The earliest validation send time (or the test cut point when validation is empty). */
  public long validationFrom() {
    return validationFrom;
  }

  /** The earliest test send time, or {@link Long#MAX_VALUE} when test is empty. */
  public long testFrom() {
    return testFrom;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SplitBoundaries
        && ((SplitBoundaries) o).validationFrom == validationFrom
        && ((SplitBoundaries) o).testFrom == testFrom;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(validationFrom) * 31 + Long.hashCode(testFrom);
  }

  @Override
  public String toString() {
    return "validation from " + validationFrom + ", test from " + testFrom;
  }
}
