package io.beamml.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** A batch run's output directory and the record format of its main output. */
public interface OutputOptions extends RunOutputOptions, AvroCodecOptions {

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
