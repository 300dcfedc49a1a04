package io.beamml.training.data;

import java.util.Arrays;

/**
 * The three parts of a training set. The split is decided when the set is built (by time, test
 * strictly latest) and read from the data, never re-drawn here, so evaluation stays out of time.
 */
public enum Split {
  train,
  validation,
  test;

  public static Split parse(String value, String where) {
    for (Split s : values()) {
      if (s.name().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown split '"
            + value
            + "' in "
            + where
            + ": expected one of "
            + Arrays.toString(values()));
  }
}
