package io.beamml.training.drift;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.Locale;

/**
 * When a feature counts as drifted. A window with fewer rows than {@link #minRows()} is measured
 * but never flagged: PSI's chance level grows like (bins - 1) / rows, so tiny windows would alarm
 * on noise.
 *
 * <ul>
 *   <li>PSI: drifted when above {@link #psi()} (default 0.2, the usual "significant shift" line;
 *       0.1 to 0.2 is commonly read as moderate).
 *   <li>KS: drifted when the statistic D is above the larger of {@link #ksMinStatistic()} (default
 *       0.1) and the critical D at significance {@link #ksSignificance()} (default 0.01) for the
 *       two sample sizes. The significance keeps small windows from alarming on chance; the minimum
 *       D keeps large windows from alarming on differences too small to matter, which any test
 *       finds significant given enough rows.
 * </ul>
 */
public final class DriftThresholds implements Serializable {

  public static final double DEFAULT_PSI = 0.2;
  public static final double DEFAULT_KS_SIGNIFICANCE = 0.01;
  public static final double DEFAULT_KS_MIN_STATISTIC = 0.1;
  public static final long DEFAULT_MIN_ROWS = 100;

  private final double psi;
  private final double ksSignificance;
  private final double ksMinStatistic;
  private final long minRows;

  public DriftThresholds(
      @JsonProperty("psi") double psi,
      @JsonProperty("ks_significance") double ksSignificance,
      @JsonProperty("ks_min_statistic") double ksMinStatistic,
      @JsonProperty("min_rows") long minRows) {
    if (!(psi > 0)) {
      throw new IllegalArgumentException("the PSI threshold must be positive, got " + psi);
    }
    if (!(ksSignificance > 0 && ksSignificance < 1)) {
      throw new IllegalArgumentException(
          "the KS significance must be in (0, 1), got " + ksSignificance);
    }
    if (!(ksMinStatistic >= 0 && ksMinStatistic < 1)) {
      throw new IllegalArgumentException(
          "the minimum KS statistic must be in [0, 1), got " + ksMinStatistic);
    }
    if (minRows < 1) {
      throw new IllegalArgumentException(
          "the minimum rows per window must be at least 1, got " + minRows);
    }
    this.psi = psi;
    this.ksSignificance = ksSignificance;
    this.ksMinStatistic = ksMinStatistic;
    this.minRows = minRows;
  }

  public static DriftThresholds defaults() {
    return new DriftThresholds(
        DEFAULT_PSI, DEFAULT_KS_SIGNIFICANCE, DEFAULT_KS_MIN_STATISTIC, DEFAULT_MIN_ROWS);
  }

  public DriftThresholds withPsi(double value) {
    return new DriftThresholds(value, ksSignificance, ksMinStatistic, minRows);
  }

  public DriftThresholds withKsSignificance(double value) {
    return new DriftThresholds(psi, value, ksMinStatistic, minRows);
  }

  public DriftThresholds withKsMinStatistic(double value) {
    return new DriftThresholds(psi, ksSignificance, value, minRows);
  }

  public DriftThresholds withMinRows(long value) {
    return new DriftThresholds(psi, ksSignificance, ksMinStatistic, value);
  }

  @JsonProperty("psi")
  public double psi() {
    return psi;
  }

  @JsonProperty("ks_significance")
  public double ksSignificance() {
    return ksSignificance;
  }

  @JsonProperty("ks_min_statistic")
  public double ksMinStatistic() {
    return ksMinStatistic;
  }

  @JsonProperty("min_rows")
  public long minRows() {
    return minRows;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "PSI > %s; KS D > max(%s, critical D at p = %s); at least %d rows",
        psi,
        ksMinStatistic,
        ksSignificance,
        minRows);
  }
}
