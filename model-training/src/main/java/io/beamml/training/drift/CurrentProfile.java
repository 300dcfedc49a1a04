package io.beamml.training.drift;

import java.io.Serializable;
import java.util.List;

/**
 * What one window's rows look like, in the reference's terms: per feature, the row count in each
 * reference bin and a bounded hash sample of raw values (numeric features). It is the accumulator
 * of {@link AccumulateProfile}: additive counts and mergeable samples, so the work spreads over
 * workers and its size does not grow with the window.
 */
final class CurrentProfile implements Serializable {

  private long rows;
  private final long[][] counts;

  /** Null for categorical features: the KS test does not apply to them. */
  private final HashSample[] samples;

  private CurrentProfile(long rows, long[][] counts, HashSample[] samples) {
    this.rows = rows;
    this.counts = counts;
    this.samples = samples;
  }

  static CurrentProfile empty(ReferenceProfile reference, int sampleSize) {
    List<FeatureReference> features = reference.features();
    long[][] counts = new long[features.size()][];
    HashSample[] samples = new HashSample[features.size()];
    for (int i = 0; i < counts.length; i++) {
      FeatureReference f = features.get(i);
      counts[i] = new long[f.bins()];
      samples[i] = f.kind() == FeatureReference.Kind.numeric ? new HashSample(sampleSize) : null;
    }
    return new CurrentProfile(0, counts, samples);
  }

  /** Rebuilds a decoded profile; the arrays are taken, not copied. */
  static CurrentProfile of(long rows, long[][] counts, HashSample[] samples) {
    return new CurrentProfile(rows, counts, samples);
  }

  /** Adds one vectorized row (spec order, NaN = missing) whose identity hashes to {@code hash}. */
  void add(long hash, float[] vector, ReferenceProfile reference) {
    List<FeatureReference> features = reference.features();
    rows++;
    for (int i = 0; i < vector.length; i++) {
      counts[i][features.get(i).bin(vector[i])]++;
      if (samples[i] != null && !Float.isNaN(vector[i])) {
        samples[i].add(hash, vector[i]);
      }
    }
  }

  void merge(CurrentProfile other) {
    if (other.counts.length != counts.length) {
      throw new IllegalArgumentException(
          "cannot merge profiles of "
              + counts.length
              + " and "
              + other.counts.length
              + " features");
    }
    rows += other.rows;
    for (int i = 0; i < counts.length; i++) {
      for (int b = 0; b < counts[i].length; b++) {
        counts[i][b] += other.counts[i][b];
      }
      if (samples[i] != null) {
        samples[i].merge(other.samples[i]);
      }
    }
  }

  long rows() {
    return rows;
  }

  int features() {
    return counts.length;
  }

  long[] counts(int feature) {
    return counts[feature];
  }

  /** Null for a categorical feature. */
  HashSample sample(int feature) {
    return samples[feature];
  }
}
