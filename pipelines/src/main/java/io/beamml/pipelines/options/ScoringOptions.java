package io.beamml.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Which model scores, from which registry, and how. */
public interface ScoringOptions extends PipelineOptions {

  @Description("Model registry directory (local, gs:// or any Beam file system)")
  @Validation.Required
  String getRegistry();

  void setRegistry(String value);

  @Description("Champion model: NAME@ALIAS (follows the alias) or NAME:VERSION (pinned)")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description("Optional challenger model, NAME@ALIAS or NAME:VERSION")
  String getChallenger();

  void setChallenger(String value);

  @Description(
      "Share of customers (by pseudonymised id, stable per customer) scored by the challenger")
  @Default.Double(0.1)
  Double getChallengerShare();

  void setChallengerShare(Double value);

  @Description("Most rows scored in one XGBoost call")
  @Default.Integer(512)
  Integer getMaxBatchSize();

  void setMaxBatchSize(Integer value);

  @Description("Top-k feature contributions (SHAP) attached to each prediction; 0 = none")
  @Default.Integer(0)
  Integer getExplanations();

  void setExplanations(Integer value);
}
