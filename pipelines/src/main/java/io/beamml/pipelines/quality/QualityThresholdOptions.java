package io.beamml.pipelines.quality;

import io.beamml.training.quality.MeasureQuality;
import io.beamml.training.quality.QualityAlarm;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * When a day of live quality may alarm, shared by {@code quality-report} and the stream so both
 * read the same flags the same way.
 */
public interface QualityThresholdOptions extends PipelineOptions {

  @Description("Days with fewer positives are measured but never alarm")
  @Default.Long(MeasureQuality.DEFAULT_MIN_POSITIVES)
  Long getMinPositives();

  void setMinPositives(Long value);

  @Description("The alert condition: live AUC below the version's test AUC minus this")
  @Default.Double(QualityAlarm.DEFAULT_TOLERANCE)
  Double getAucTolerance();

  void setAucTolerance(Double value);
}
