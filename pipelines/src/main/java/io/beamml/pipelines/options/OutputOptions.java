package io.beamml.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where a batch run writes: one directory holding every output, dead letter and the summary. */
public interface OutputOptions extends PipelineOptions, AvroCodecOptions {

  @Description("Output directory (local or any Beam file system)")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Record format of the main output: avro or jsonl")
  @Default.Enum("avro")
  OutputFormat getOutputFormat();

  void setOutputFormat(OutputFormat value);

  /** Record formats of file outputs. */
  enum OutputFormat {
    avro,
    jsonl
  }
}
