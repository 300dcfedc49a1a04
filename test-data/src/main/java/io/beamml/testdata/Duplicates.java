package io.beamml.testdata;

/**
 * Which valid rows get re-delivered: {@code duplicateRate * validRows} of them (at least one when
 * the rate is above zero), drawn with replacement, so a row may come three times.
 */
final class Duplicates {
  private Duplicates() {}

  static int[] pick(int validRows, double duplicateRate, Rng rng) {
    if (duplicateRate == 0.0 || validRows == 0) {
      return new int[0];
    }
    int n = (int) Math.max(1, Math.round(duplicateRate * validRows));
    int[] originals = new int[n];
    for (int i = 0; i < n; i++) {
      originals[i] = rng.nextInt(validRows);
    }
    return originals;
  }
}
