package io.beamml.training;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * The request of {@link PromoteModel}: what {@code ./pipeline promote} takes as flags (the CLI in
 * runners parses them).
 */
public interface PromoteOptions extends RegistryOptions {

  @Description("The candidate: NAME:VERSION (or NAME@ALIAS, resolved now)")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description("The alias to move")
  @Default.String("champion")
  String getAlias();

  void setAlias(String value);

  @Description(
      "Lowest test AUC the candidate may have; unset means " + PromotionGate.DEFAULT_MIN_AUC)
  Double getMinAuc();

  void setMinAuc(Double value);

  @Description("How far the candidate's test AUC may fall below the current alias holder's")
  @Default.Double(PromotionGate.DEFAULT_MAX_AUC_DROP)
  Double getMaxAucDrop();

  void setMaxAucDrop(Double value);

  @Description("Move the alias even when the gate refuses; the alias history records forced=true")
  @Default.Boolean(false)
  boolean getForce();

  void setForce(boolean value);

  @Description("Why the alias moves, kept in the alias history")
  String getReason();

  void setReason(String value);

  @Description(
      "Training-set directory: when given, candidate and holder are both scored on its test split and compared head to head instead of by their recorded AUCs")
  String getTestSet();

  void setTestSet(String value);
}
