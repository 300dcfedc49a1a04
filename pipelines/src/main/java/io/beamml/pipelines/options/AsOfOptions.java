package io.beamml.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code --asOf}, one flag for every job that answers "as of when": materialize's store contents
 * and the end of training-set's (and retrain's) window. Declared once because Beam refuses a
 * property that two registered interfaces annotate differently.
 */
public interface AsOfOptions extends PipelineOptions {
  @Description(
      "The instant the job answers as of (ISO-8601, e.g. 2026-03-01T00:00:00Z); empty = now."
          + " materialize: the store's contents; training-set and retrain: the end of"
          + " --trainingWindowDays")
  @Default.String("")
  String getAsOf();

  void setAsOf(String value);
}
