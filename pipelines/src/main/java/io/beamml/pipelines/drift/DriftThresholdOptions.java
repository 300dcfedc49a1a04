package io.beamml.pipelines.drift;

import io.beamml.training.drift.DriftThresholds;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * When a feature counts as drifted ({@link DriftThresholds}), shared by {@code drift-report} and
 * the stream so both read the same flags the same way. The minimum rows differ in meaning (a whole
 * run against one window) and so stay each pipeline's own flag.
 */
public interface DriftThresholdOptions extends PipelineOptions {

  @Description("A feature whose population stability index is above this has drifted")
  @Default.Double(DriftThresholds.DEFAULT_PSI)
  Double getPsiThreshold();

  void setPsiThreshold(Double value);

  @Description(
      "KS test significance: a numeric feature drifts only when its KS statistic is beyond the critical value at this level")
  @Default.Double(DriftThresholds.DEFAULT_KS_SIGNIFICANCE)
  Double getKsSignificance();

  void setKsSignificance(Double value);

  @Description(
      "KS statistic a numeric feature must also exceed to drift: large runs find tiny differences significant")
  @Default.Double(DriftThresholds.DEFAULT_KS_MIN_STATISTIC)
  Double getKsMinStatistic();

  void setKsMinStatistic(Double value);

  /** The thresholds these flags describe, flagging nothing with fewer than {@code minRows} rows. */
  static DriftThresholds thresholds(DriftThresholdOptions options, long minRows) {
    return DriftThresholds.defaults()
        .withPsi(options.getPsiThreshold())
        .withKsSignificance(options.getKsSignificance())
        .withKsMinStatistic(options.getKsMinStatistic())
        .withMinRows(minRows);
  }
}
