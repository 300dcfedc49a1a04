package io.beamml.training;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * The request of {@link TrainModel}: what {@code ./pipeline train} takes as flags (the CLI in
 * runners parses them).
 */
public interface TrainOptions extends RegistryOptions, ModelTrainingOptions {

  @Description("Training-set directory holding examples/*.avro (and optionally spec.json)")
  @Validation.Required
  String getTrainingSet();

  void setTrainingSet(String value);

  @Description("When set, a model whose test AUC is below this is not registered")
  Double getMinAuc();

  void setMinAuc(Double value);
}
