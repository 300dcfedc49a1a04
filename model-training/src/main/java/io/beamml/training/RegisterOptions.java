package io.beamml.training;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * The request of {@link ImportModel}: what {@code ./pipeline register} takes as flags (the CLI in
 * runners parses them).
 */
public interface RegisterOptions extends RegistryOptions {

  @Description("Model name in the registry; the import becomes its next version")
  @Validation.Required
  String getModelName();

  void setModelName(String value);

  @Description("XGBoost model file trained elsewhere: .json or .ubj")
  @Validation.Required
  String getModelFile();

  void setModelFile(String value);

  @Description(
      "The model's columns in order, comma-separated; must match the feature spec (default: the spec's)")
  List<String> getFeatureNames();

  void setFeatureNames(List<String> value);

  @Description(
      "Feature spec JSON the model was trained under; empty means the spec shipped with beamml")
  @Default.String("")
  String getFeatureSpec();

  void setFeatureSpec(String value);

  @Description(
      "Training-set directory whose test split evaluates the import, so the promotion gate has an AUC")
  String getTestSet();

  void setTestSet(String value);

  @Description(
      "CSV promo_id,customer_id,probability of true response probabilities: reports the oracle AUC")
  String getTruthFile();

  void setTruthFile(String value);
}
