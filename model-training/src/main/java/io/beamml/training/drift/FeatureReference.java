package io.beamml.training.drift;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One feature's training distribution: the bins later data is sorted into, the share of training
 * rows in each, and a bounded sample of raw values for the Kolmogorov-Smirnov test.
 *
 * <p>Bins are over the values the model sees (see {@code FeatureVectorizer}). A numeric feature has
 * quantile cut points {@code edges}: bin 0 holds values {@code <= edges[0]}, bin i values in {@code
 * (edges[i-1], edges[i]]}, the last value bin values above the last edge. A categorical feature has
 * one bin per vocabulary entry. Either way the final bin holds missing values (including categories
 * outside the vocabulary, which the model also sees as missing).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class FeatureReference implements Serializable {

  /** How a feature is binned and which statistics apply to it. */
  public enum Kind {
    numeric,
    categorical
  }

  private final String name;
  private final Kind kind;
  private final double[] edges;
  private final @Nullable List<String> categories;
  private final double[] proportions;
  private final long rows;
  private final double[] sample;

  public FeatureReference(
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty(value = "kind", required = true) Kind kind,
      @JsonProperty("edges") double @Nullable [] edges,
      @JsonProperty("categories") @Nullable List<String> categories,
      @JsonProperty(value = "proportions", required = true) double[] proportions,
      @JsonProperty(value = "rows", required = true) long rows,
      @JsonProperty("sample") double @Nullable [] sample) {
    this.name = name;
    this.kind = kind;
    this.edges = edges == null ? new double[0] : edges.clone();
    this.categories = categories == null ? null : List.copyOf(categories);
    this.proportions = proportions.clone();
    this.rows = rows;
    this.sample = sample == null ? new double[0] : sample.clone();
    validate();
  }

  private void validate() {
    if (kind == Kind.categorical && categories == null) {
      throw new IllegalArgumentException("categorical reference " + name + " lists no categories");
    }
    int expected = kind == Kind.categorical ? categories.size() + 1 : edges.length + 2;
    if (proportions.length != expected) {
      throw new IllegalArgumentException(
          "reference "
              + name
              + " has "
              + proportions.length
              + " proportions for "
              + expected
              + " bins");
    }
    for (int i = 1; i < edges.length; i++) {
      if (!(edges[i - 1] < edges[i])) {
        throw new IllegalArgumentException(
            "reference " + name + " has bin edges out of order: " + Arrays.toString(edges));
      }
    }
  }

  @JsonProperty("name")
  public String name() {
    return name;
  }

  @JsonProperty("kind")
  public Kind kind() {
    return kind;
  }

  /** Upper cut points of the numeric bins, ascending; empty for a categorical feature. */
  @JsonProperty("edges")
  public double @Nullable [] edgesOrNull() {
    return kind == Kind.numeric ? edges.clone() : null;
  }

  @JsonProperty("categories")
  public @Nullable List<String> categories() {
    return categories;
  }

  /** Share of training rows per bin, the missing bin last; sums to 1 (or is all 0 without rows). */
  @JsonProperty("proportions")
  public double[] proportions() {
    return proportions.clone();
  }

  /** Training rows the proportions were counted over. */
  @JsonProperty("rows")
  public long rows() {
    return rows;
  }

  /** Sorted non-missing training values kept for the KS test; empty for a categorical feature. */
  @JsonProperty("sample")
  public double @Nullable [] sampleOrNull() {
    return kind == Kind.numeric ? sample.clone() : null;
  }

  @JsonIgnore
  public double[] sample() {
    return sample.clone();
  }

  @JsonIgnore
  public double missingRate() {
    return proportions[proportions.length - 1];
  }

  @JsonIgnore
  public int bins() {
    return proportions.length;
  }

  @JsonIgnore
  public int missingBin() {
    return proportions.length - 1;
  }

  /** The bin of one vectorized value (NaN is missing). */
  public int bin(float value) {
    if (Float.isNaN(value)) {
      return missingBin();
    }
    if (kind == Kind.categorical) {
      int code = (int) value;
      return code == value && code >= 0 && code < categories.size() ? code : missingBin();
    }
    int lo = 0;
    int hi = edges.length;
    // First edge >= value; values above every edge land in bin edges.length.
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (edges[mid] < value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Human-readable bin names in bin order, for tables and charts. */
  @JsonIgnore
  public List<String> binLabels() {
    List<String> labels = new ArrayList<>();
    if (kind == Kind.categorical) {
      labels.addAll(categories);
    } else if (edges.length == 0) {
      labels.add("any value");
    } else {
      labels.add("<= " + format(edges[0]));
      for (int i = 1; i < edges.length; i++) {
        labels.add("(" + format(edges[i - 1]) + ", " + format(edges[i]) + "]");
      }
      labels.add("> " + format(edges[edges.length - 1]));
    }
    labels.add("missing");
    return labels;
  }

  private static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
