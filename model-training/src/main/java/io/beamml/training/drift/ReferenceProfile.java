package io.beamml.training.drift;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.data.SplitRows;
import io.beamml.training.data.TrainingSet;
import io.beamml.transforms.features.FeatureDefinition;
import io.beamml.transforms.features.FeatureSpec;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training distribution of every feature of a model version, stored beside it as {@value #FILE}
 * so later data can be compared with what the model learnt from. Built from the training split
 * only: validation and test rows are later in time and would blur the baseline. It carries its
 * feature spec, so a drift check needs nothing else to vectorize rows the way the model does.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class ReferenceProfile implements Serializable {

  /** The attachment's file name in the registry. */
  public static final String FILE = "reference.json";

  /** Quantile bins per numeric feature before equal cut points are merged. */
  public static final int DEFAULT_BINS = 10;

  /** Raw values kept per numeric feature for the KS test. */
  public static final int DEFAULT_SAMPLE_SIZE = 2000;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String specFingerprint;
  private final String featureSpec;
  private final long rows;
  private final List<FeatureReference> features;
  private final FeatureSpec spec;

  public ReferenceProfile(
      @JsonProperty(value = "spec_fingerprint", required = true) String specFingerprint,
      @JsonProperty(value = "feature_spec", required = true) String featureSpec,
      @JsonProperty(value = "rows", required = true) long rows,
      @JsonProperty(value = "features", required = true) List<FeatureReference> features) {
    this.specFingerprint = specFingerprint;
    this.featureSpec = featureSpec;
    this.rows = rows;
    this.features = List.copyOf(features);
    this.spec = FeatureSpec.fromJson(featureSpec);
    List<String> names = spec.featureNames();
    List<String> profiled = new ArrayList<>();
    for (FeatureReference f : this.features) {
      profiled.add(f.name());
    }
    if (!names.equals(profiled)) {
      throw new IllegalArgumentException(
          "reference profile covers " + profiled + " but its spec lists " + names);
    }
    if (!spec.fingerprint().equals(specFingerprint)) {
      throw new IllegalArgumentException(
          "reference profile names spec fingerprint "
              + specFingerprint
              + " but carries a spec with "
              + spec.fingerprint());
    }
  }

  /** The profile of a training set's train split, keyed for sampling by promo id. */
  public static ReferenceProfile fromTraining(TrainingSet set) {
    SplitRows train = set.train();
    return fromRows(
        set.spec(),
        train.features(),
        train.rows(),
        train.promoIds(),
        DEFAULT_BINS,
        DEFAULT_SAMPLE_SIZE);
  }

  /**
   * The profile of row-major vectorized rows (NaN = missing, spec order). {@code rowKeys} identify
   * the rows; the sample keeps the values of the rows whose keys hash lowest, so it is the same
   * whatever order the rows come in.
   */
  public static ReferenceProfile fromRows(
      FeatureSpec spec, float[] matrix, int rows, String[] rowKeys, int bins, int sampleSize) {
    int width = spec.featureNames().size();
    if (matrix.length != rows * width || rowKeys.length != rows) {
      throw new IllegalArgumentException(
          "expected "
              + rows
              + " x "
              + width
              + " values and "
              + rows
              + " row keys, got "
              + matrix.length
              + " values and "
              + rowKeys.length
              + " keys");
    }
    if (bins < 1) {
      throw new IllegalArgumentException("at least one bin per feature, got " + bins);
    }
    long[] hashes = new long[rows];
    for (int r = 0; r < rows; r++) {
      hashes[r] = HashSample.hash(rowKeys[r]);
    }
    List<FeatureReference> features = new ArrayList<>();
    List<FeatureDefinition> defs = spec.features();
    for (int c = 0; c < width; c++) {
      features.add(profile(defs.get(c), matrix, rows, width, c, hashes, bins, sampleSize));
    }
    return new ReferenceProfile(spec.fingerprint(), spec.toCanonicalJson(), rows, features);
  }

  private static FeatureReference profile(
      FeatureDefinition def,
      float[] matrix,
      int rows,
      int width,
      int column,
      long[] hashes,
      int bins,
      int sampleSize) {
    double[] present = new double[rows];
    int n = 0;
    HashSample sample = new HashSample(sampleSize);
    for (int r = 0; r < rows; r++) {
      float v = matrix[r * width + column];
      if (!Float.isNaN(v)) {
        present[n++] = v;
        sample.add(hashes[r], v);
      }
    }
    FeatureReference shape;
    if (def.isCategorical()) {
      shape =
          new FeatureReference(
              def.name(),
              FeatureReference.Kind.categorical,
              null,
              def.categories(),
              new double[def.categories().size() + 1],
              rows,
              null);
    } else {
      double[] sorted = Arrays.copyOf(present, n);
      Arrays.sort(sorted);
      double[] edges = quantileEdges(sorted, bins);
      shape =
          new FeatureReference(
              def.name(),
              FeatureReference.Kind.numeric,
              edges,
              null,
              new double[edges.length + 2],
              rows,
              null);
    }
    long[] counts = new long[shape.bins()];
    for (int r = 0; r < rows; r++) {
      counts[shape.bin(matrix[r * width + column])]++;
    }
    double[] proportions = new double[counts.length];
    for (int b = 0; b < counts.length; b++) {
      proportions[b] = rows == 0 ? 0 : counts[b] / (double) rows;
    }
    return new FeatureReference(
        def.name(),
        shape.kind(),
        shape.edgesOrNull(),
        shape.categories(),
        proportions,
        rows,
        def.isCategorical() ? null : sample.sortedValues());
  }

  /**
   * Cut points at the 1/bins, 2/bins, ... quantiles (the lower order statistic), equal ones merged:
   * a count feature with six distinct values gets at most six cut points, not ten.
   */
  static double[] quantileEdges(double[] sorted, int bins) {
    int n = sorted.length;
    if (n == 0) {
      return new double[0];
    }
    double[] edges = new double[bins - 1];
    int k = 0;
    for (int q = 1; q < bins; q++) {
      int index = (int) Math.ceil((double) q * n / bins) - 1;
      double edge = sorted[Math.max(0, Math.min(n - 1, index))];
      if (k == 0 || edge > edges[k - 1]) {
        edges[k++] = edge;
      }
    }
    return Arrays.copyOf(edges, k);
  }

  /** Reads {@value #FILE} of a registered version. */
  public static ReferenceProfile load(ModelRegistry registry, String name, String version) {
    if (!registry.metadata(name, version).attachments.contains(FILE)) {
      throw new IllegalArgumentException(
          "model "
              + name
              + ":"
              + version
              + " in "
              + registry.root()
              + " has no "
              + FILE
              + ": it was registered without training reference histograms (retrain it to monitor drift)");
    }
    return fromJson(registry.readAttachment(name, version, FILE));
  }

  public static ReferenceProfile fromJson(byte[] json) {
    try {
      return JSON.readValue(json, ReferenceProfile.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a reference profile: " + e.getMessage(), e);
    }
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render the reference profile", e);
    }
  }

  @JsonProperty("spec_fingerprint")
  public String specFingerprint() {
    return specFingerprint;
  }

  /** The feature spec, canonical JSON. */
  @JsonProperty("feature_spec")
  public String featureSpec() {
    return featureSpec;
  }

  @JsonIgnore
  public FeatureSpec spec() {
    return spec;
  }

  /** Training rows profiled. */
  @JsonProperty("rows")
  public long rows() {
    return rows;
  }

  /** One per feature, in spec order. */
  @JsonProperty("features")
  public List<FeatureReference> features() {
    return features;
  }

  public FeatureReference feature(String name) {
    for (FeatureReference f : features) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("no feature " + name + " in the reference profile");
  }
}
