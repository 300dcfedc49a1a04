package io.beamml.runners.commands;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Flags of {@code ./pipeline stop-stream}; the cluster is Beam's own {@code
 * --flinkMaster=HOST:PORT} (a session cluster's REST address, or {@code 127.0.0.1:PORT} of a stream
 * started with {@code --embeddedRestPort=PORT}).
 */
public interface StopStreamOptions extends PipelineOptions {

  @Description(
      "Directory the savepoint is written under (local path or any URI Flink can write, e.g. file:///..., s3://...)")
  @Validation.Required
  String getSavepointDir();

  void setSavepointDir(String value);

  @Description(
      "The Flink job id to stop; unset stops the one running job (and refuses when there are several)")
  String getJobId();

  void setJobId(String value);
}
