package io.beamml.training.drift;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One feature of one window compared with its reference: both histograms over the reference bins
 * (for the report's pictures) and the statistics with their verdicts. PSI is null when the window
 * has no rows; the KS fields are null for categorical features and when either side has no
 * non-missing value.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class FeatureDrift implements Serializable {

  private final String feature;
  private final FeatureReference.Kind kind;
  private final List<String> bins;
  private final double[] referenceShares;
  private final long[] currentCounts;
  private final @Nullable Double psi;
  private final boolean psiDrifted;
  private final @Nullable Double ksStatistic;
  private final @Nullable Double ksPValue;
  private final @Nullable Double ksThreshold;
  private final boolean ksDrifted;

  public FeatureDrift(
      @JsonProperty("feature") String feature,
      @JsonProperty("kind") FeatureReference.Kind kind,
      @JsonProperty("bins") List<String> bins,
      @JsonProperty("reference_shares") double[] referenceShares,
      @JsonProperty("current_counts") long[] currentCounts,
      @JsonProperty("psi") @Nullable Double psi,
      @JsonProperty("psi_drifted") boolean psiDrifted,
      @JsonProperty("ks_statistic") @Nullable Double ksStatistic,
      @JsonProperty("ks_p_value") @Nullable Double ksPValue,
      @JsonProperty("ks_threshold") @Nullable Double ksThreshold,
      @JsonProperty("ks_drifted") boolean ksDrifted) {
    if (bins.size() != referenceShares.length || bins.size() != currentCounts.length) {
      throw new IllegalArgumentException(
          feature
              + ": "
              + bins.size()
              + " bins but "
              + referenceShares.length
              + " reference shares and "
              + currentCounts.length
              + " current counts");
    }
    this.feature = feature;
    this.kind = kind;
    this.bins = List.copyOf(bins);
    this.referenceShares = referenceShares.clone();
    this.currentCounts = currentCounts.clone();
    this.psi = psi;
    this.psiDrifted = psiDrifted;
    this.ksStatistic = ksStatistic;
    this.ksPValue = ksPValue;
    this.ksThreshold = ksThreshold;
    this.ksDrifted = ksDrifted;
  }

  @JsonProperty("feature")
  public String feature() {
    return feature;
  }

  @JsonProperty("kind")
  public FeatureReference.Kind kind() {
    return kind;
  }

  /** Bin labels, the missing bin last. */
  @JsonProperty("bins")
  public List<String> bins() {
    return bins;
  }

  @JsonProperty("reference_shares")
  public double[] referenceShares() {
    return referenceShares.clone();
  }

  @JsonProperty("current_counts")
  public long[] currentCounts() {
    return currentCounts.clone();
  }

  @JsonIgnore
  public double[] currentShares() {
    return DriftStatistics.proportions(currentCounts);
  }

  @JsonProperty("psi")
  public @Nullable Double psi() {
    return psi;
  }

  @JsonProperty("psi_drifted")
  public boolean psiDrifted() {
    return psiDrifted;
  }

  @JsonProperty("ks_statistic")
  public @Nullable Double ksStatistic() {
    return ksStatistic;
  }

  @JsonProperty("ks_p_value")
  public @Nullable Double ksPValue() {
    return ksPValue;
  }

  /** The D the statistic had to exceed: max(minimum D, critical D at the significance). */
  @JsonProperty("ks_threshold")
  public @Nullable Double ksThreshold() {
    return ksThreshold;
  }

  @JsonProperty("ks_drifted")
  public boolean ksDrifted() {
    return ksDrifted;
  }

  @JsonIgnore
  public boolean drifted() {
    return psiDrifted || ksDrifted;
  }
}
