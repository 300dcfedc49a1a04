package io.beamml.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Where a batch run writes: one directory holding every output, dead letter and the summary,
 * published as a whole when the run ends (see {@link io.beamml.pipelines.io.RunOutput}).
 */
public interface RunOutputOptions extends PipelineOptions {

  @Description(
      "Output directory (local or any Beam file system); a re-run replaces the previous run's output whole")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description(
      "Replace --output even if it is not empty and holds no run's output (no summary.json)")
  @Default.Boolean(false)
  Boolean getOverwrite();

  void setOverwrite(Boolean value);
}
