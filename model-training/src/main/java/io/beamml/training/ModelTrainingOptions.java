package io.beamml.training;

import java.util.List;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * The model a training run registers and how it is fitted: the flags {@code ./pipeline train} and
 * {@code ./pipeline retrain} share, declared once.
 */
public interface ModelTrainingOptions extends PipelineOptions {

  @Description("Model name in the registry; each run registers a new version of it")
  @Validation.Required
  String getModelName();

  void setModelName(String value);

  @Description(
      "XGBoost parameter override key=value; repeat the flag or separate with commas, e.g. --param=eta=0.05 --param=max_depth=6")
  List<String> getParam();

  void setParam(List<String> value);

  @Description("JSON object or .properties file of XGBoost parameters, applied before --param")
  String getParamsFile();

  void setParamsFile(String value);

  @Description(
      "CSV promo_id,customer_id,probability of true response probabilities (synthetic data): reports the oracle AUC")
  String getTruthFile();

  void setTruthFile(String value);
}
