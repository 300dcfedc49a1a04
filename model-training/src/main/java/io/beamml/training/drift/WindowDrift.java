package io.beamml.training.drift;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.schemas.DriftRecord;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Every feature of one window (streaming) or one run (batch) compared with the training reference
 * of a model version. The drift records are derived from it; the batch report draws it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class WindowDrift implements Serializable {

  public static final String PSI = "psi";
  public static final String KS = "ks";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final @Nullable Long windowStart;
  private final @Nullable Long windowEnd;
  private final String modelName;
  private final String modelVersion;
  private final long rows;
  private final DriftThresholds thresholds;
  private final List<FeatureDrift> features;

  public WindowDrift(
      @JsonProperty("window_start") @Nullable Long windowStart,
      @JsonProperty("window_end") @Nullable Long windowEnd,
      @JsonProperty("model_name") String modelName,
      @JsonProperty("model_version") String modelVersion,
      @JsonProperty("rows") long rows,
      @JsonProperty("thresholds") DriftThresholds thresholds,
      @JsonProperty("features") List<FeatureDrift> features) {
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
    this.modelName = modelName;
    this.modelVersion = modelVersion;
    this.rows = rows;
    this.thresholds = thresholds;
    this.features = List.copyOf(features);
  }

  /** Compares a window's profile with the reference; null bounds mean the global window. */
  static WindowDrift measure(
      ReferenceProfile reference,
      CurrentProfile current,
      DriftThresholds thresholds,
      String modelName,
      String modelVersion,
      @Nullable Long windowStart,
      @Nullable Long windowEnd) {
    boolean enough = current.rows() >= thresholds.minRows();
    List<FeatureDrift> features = new ArrayList<>();
    for (int i = 0; i < current.features(); i++) {
      FeatureReference ref = reference.features().get(i);
      long[] counts = current.counts(i);
      Double psi =
          current.rows() == 0
              ? null
              : DriftStatistics.psi(ref.proportions(), DriftStatistics.proportions(counts));
      boolean psiDrifted = enough && psi != null && psi > thresholds.psi();
      Double ksStatistic = null;
      Double ksPValue = null;
      Double ksThreshold = null;
      boolean ksDrifted = false;
      HashSample sample = current.sample(i);
      double[] referenceSample = ref.sample();
      // The KS test needs two values on each side: a window with one value of a feature has no KS.
      if (sample != null && sample.size() > 1 && referenceSample.length > 1) {
        double[] values = sample.sortedValues();
        DriftStatistics.Ks ks = DriftStatistics.ks(referenceSample, values);
        ksStatistic = ks.statistic();
        ksPValue = ks.pValue();
        ksThreshold =
            Math.max(
                thresholds.ksMinStatistic(),
                DriftStatistics.ksCriticalStatistic(
                    thresholds.ksSignificance(), referenceSample.length, values.length));
        ksDrifted = enough && ksStatistic > ksThreshold;
      }
      features.add(
          new FeatureDrift(
              ref.name(),
              ref.kind(),
              ref.binLabels(),
              ref.proportions(),
              counts,
              psi,
              psiDrifted,
              ksStatistic,
              ksPValue,
              ksThreshold,
              ksDrifted));
    }
    return new WindowDrift(
        windowStart, windowEnd, modelName, modelVersion, current.rows(), thresholds, features);
  }

  /**
   * One record per drifted (feature, statistic); with {@code all}, one per statistic measured,
   * drifted or not.
   */
  public List<DriftRecord> records(boolean all) {
    List<DriftRecord> records = new ArrayList<>();
    for (FeatureDrift f : features) {
      if (f.psi() != null && (all || f.psiDrifted())) {
        records.add(record(f.feature(), PSI, f.psi(), thresholds.psi(), null, f.psiDrifted()));
      }
      if (f.ksStatistic() != null && (all || f.ksDrifted())) {
        records.add(
            record(f.feature(), KS, f.ksStatistic(), f.ksThreshold(), f.ksPValue(), f.ksDrifted()));
      }
    }
    return records;
  }

  private DriftRecord record(
      String feature,
      String statistic,
      double value,
      double threshold,
      @Nullable Double pValue,
      boolean drifted) {
    return DriftRecord.newBuilder()
        .setFeature(feature)
        .setStatistic(statistic)
        .setValue(value)
        .setThreshold(threshold)
        .setPValue(pValue)
        .setWindowStart(windowStart)
        .setWindowEnd(windowEnd)
        .setModelName(modelName)
        .setModelVersion(modelVersion)
        .setRows(rows)
        .setDrifted(drifted)
        .build();
  }

  /** Whether the window had enough rows for its statistics to flag anything. */
  @JsonIgnore
  public boolean measured() {
    return rows >= thresholds.minRows();
  }

  /** Names of the drifted features, in spec order. */
  @JsonIgnore
  public List<String> driftedFeatures() {
    List<String> names = new ArrayList<>();
    for (FeatureDrift f : features) {
      if (f.drifted()) {
        names.add(f.feature());
      }
    }
    return names;
  }

  public FeatureDrift feature(String name) {
    for (FeatureDrift f : features) {
      if (f.feature().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("no feature " + name + " in this comparison");
  }

  /** Epoch ms, inclusive; null for the global window. */
  @JsonProperty("window_start")
  public @Nullable Long windowStart() {
    return windowStart;
  }

  /** Epoch ms, exclusive; null for the global window. */
  @JsonProperty("window_end")
  public @Nullable Long windowEnd() {
    return windowEnd;
  }

  @JsonProperty("model_name")
  public String modelName() {
    return modelName;
  }

  @JsonProperty("model_version")
  public String modelVersion() {
    return modelVersion;
  }

  @JsonProperty("rows")
  public long rows() {
    return rows;
  }

  @JsonProperty("thresholds")
  public DriftThresholds thresholds() {
    return thresholds;
  }

  @JsonProperty("features")
  public List<FeatureDrift> features() {
    return features;
  }

  /** One line of JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render a window's drift", e);
    }
  }

  public static WindowDrift fromJson(String json) {
    try {
      return JSON.readValue(json, WindowDrift.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a window drift record: " + e.getMessage(), e);
    }
  }
}
