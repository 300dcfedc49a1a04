package io.beamml.training.data;

import java.util.Arrays;

/**
 * One split as the trainer sees it: a row-major float matrix (NaN = missing) with labels and the
 * identifiers needed to join outside truth back onto rows. Rows are in a canonical order (send
 * time, promo id, customer key), so the same examples always train the same model.
 */
public final class SplitRows {

  private final Split split;
  private final int columns;
  private final float[] features;
  private final float[] labels;
  private final String[] promoIds;
  private final String[] customerKeys;
  private final long[] sentTimes;

  SplitRows(
      Split split,
      int columns,
      float[] features,
      float[] labels,
      String[] promoIds,
      String[] customerKeys,
      long[] sentTimes) {
    if (features.length != labels.length * columns) {
      throw new IllegalArgumentException(
          "feature matrix does not have " + labels.length + " x " + columns + " cells");
    }
    this.split = split;
    this.columns = columns;
    this.features = features;
    this.labels = labels;
    this.promoIds = promoIds;
    this.customerKeys = customerKeys;
    this.sentTimes = sentTimes;
  }

  public Split split() {
    return split;
  }

  public int rows() {
    return labels.length;
  }

  public int columns() {
    return columns;
  }

  /** Row-major, rows() x columns(); shared, do not modify. */
  public float[] features() {
    return features;
  }

  /** 0 or 1 per row; shared, do not modify. */
  public float[] labels() {
    return labels;
  }

  public String promoId(int row) {
    return promoIds[row];
  }

  public String customerKey(int row) {
    return customerKeys[row];
  }

  public long sentTime(int row) {
    return sentTimes[row];
  }

  public String[] promoIds() {
    return Arrays.copyOf(promoIds, promoIds.length);
  }

  /** Every row's customer key, in row order; a copy. */
  public String[] customerKeys() {
    return customerKeys.clone();
  }

  public long[] sentTimes() {
    return Arrays.copyOf(sentTimes, sentTimes.length);
  }

  public long positives() {
    long n = 0;
    for (float y : labels) {
      n += y > 0.5f ? 1 : 0;
    }
    return n;
  }
}
