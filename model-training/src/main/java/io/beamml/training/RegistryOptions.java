package io.beamml.training;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where the model registry lives; shared by every command that reads or writes it. */
public interface RegistryOptions extends PipelineOptions {

  @Description(
      "Model registry root: a local directory or any Beam file system path, e.g. gs://bucket/registry")
  @Validation.Required
  String getRegistry();

  void setRegistry(String value);
}
