package io.beamml.training.quality;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Positives and negatives per distinct score: the exact, mergeable state of every quality metric.
 * Merging adds whole numbers, so any split of the rows over bundles, workers or windows merges to
 * the same histogram, and the metrics ({@link QualityMetrics#of}) are computed from it in score
 * order, never from partial floating-point sums. AUC needs the order of all scores; keeping each
 * distinct score (a model's scores are float32, so a day of responses holds at most as many
 * distinct values as rows) makes it exact rather than approximated by buckets.
 */
public final class ScoreHistogram implements Serializable {

  private static final long serialVersionUID = 1L;

  /** score -> {negatives, positives}. */
  private final Map<Double, long[]> counts;

  public ScoreHistogram() {
    this.counts = new HashMap<>();
  }

  /** Counts one labelled score. */
  public ScoreHistogram add(double score, boolean positive) {
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new IllegalArgumentException("score " + score + " is not a probability in [0, 1]");
    }
    add(score, positive ? 0 : 1, positive ? 1 : 0);
    return this;
  }

  /** Adds counts at one score; used by merging and decoding. */
  ScoreHistogram add(double score, long negatives, long positives) {
    // -0.0 and 0.0 are the same score.
    long[] c = counts.computeIfAbsent(score == 0.0 ? 0.0 : score, s -> new long[2]);
    c[0] += negatives;
    c[1] += positives;
    return this;
  }

  /** Adds every count of {@code other} into this one. */
  public ScoreHistogram merge(ScoreHistogram other) {
    for (Map.Entry<Double, long[]> e : other.counts.entrySet()) {
      add(e.getKey(), e.getValue()[0], e.getValue()[1]);
    }
    return this;
  }

  /** A new histogram holding the counts of both. */
  public static ScoreHistogram merged(ScoreHistogram a, ScoreHistogram b) {
    return new ScoreHistogram().merge(a).merge(b);
  }

  public int distinctScores() {
    return counts.size();
  }

  /** The distinct scores in ascending order. */
  public double[] scores() {
    double[] s = new double[counts.size()];
    int i = 0;
    for (Double d : counts.keySet()) {
      s[i++] = d;
    }
    Arrays.sort(s);
    return s;
  }

  public long negativesAt(double score) {
    long[] c = counts.get(score);
    return c == null ? 0 : c[0];
  }

  public long positivesAt(double score) {
    long[] c = counts.get(score);
    return c == null ? 0 : c[1];
  }

  public long rows() {
    long n = 0;
    for (long[] c : counts.values()) {
      n += c[0] + c[1];
    }
    return n;
  }

  public long positives() {
    long n = 0;
    for (long[] c : counts.values()) {
      n += c[1];
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ScoreHistogram)) {
      return false;
    }
    Map<Double, long[]> other = ((ScoreHistogram) o).counts;
    if (other.size() != counts.size()) {
      return false;
    }
    for (Map.Entry<Double, long[]> e : counts.entrySet()) {
      if (!Arrays.equals(e.getValue(), other.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 0;
    for (Map.Entry<Double, long[]> e : counts.entrySet()) {
      h += e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
    }
    return h;
  }

  @Override
  public String toString() {
    return "ScoreHistogram{"
        + distinctScores()
        + " distinct scores, "
        + rows()
        + " rows, "
        + positives()
        + " positives}";
  }
}
