package io.beamml.training.data;

import io.beamml.transforms.features.FeatureSpec;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A training set read into memory: its spec, its three splits and its content fingerprint. */
public final class TrainingSet {

  private final String location;
  private final FeatureSpec spec;
  private final EnumMap<Split, SplitRows> splits;
  private final String fingerprint;

  TrainingSet(
      String location, FeatureSpec spec, EnumMap<Split, SplitRows> splits, String fingerprint) {
    this.location = location;
    this.spec = spec;
    this.splits = splits;
    this.fingerprint = fingerprint;
  }

  /** The directory it was read from. */
  public String location() {
    return location;
  }

  public FeatureSpec spec() {
    return spec;
  }

  public List<String> featureNames() {
    return spec.featureNames();
  }

  public SplitRows split(Split split) {
    return splits.get(split);
  }

  public SplitRows train() {
    return splits.get(Split.train);
  }

  public SplitRows validation() {
    return splits.get(Split.validation);
  }

  public SplitRows test() {
    return splits.get(Split.test);
  }

  /**
   * Hex SHA-256 of the examples as a multiset: the same examples give the same fingerprint
   * whichever files they are spread over and in whatever order.
   */
  public String fingerprint() {
    return fingerprint;
  }

  /** Row count per split, in split order (train, validation, test). */
  public Map<String, Long> rowCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Split s : Split.values()) {
      counts.put(s.name(), (long) splits.get(s).rows());
    }
    return counts;
  }

  /** Fails unless every split has rows of both classes: training and evaluation need them. */
  public TrainingSet requireAllSplits() {
    for (Split s : Split.values()) {
      SplitRows rows = splits.get(s);
      if (rows.rows() == 0) {
        throw new IllegalArgumentException(
            "training set " + location + " has no " + s + " rows " + rowCounts());
      }
      long positives = rows.positives();
      if (positives == 0 || positives == rows.rows()) {
        throw new IllegalArgumentException(
            "the "
                + s
                + " split of "
                + location
                + " has only one class ("
                + positives
                + " positives of "
                + rows.rows()
                + " rows): AUC and early stopping need both");
      }
    }
    return this;
  }
}
