package io.beamml.training;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * The request of {@link PromoteModel}: what {@code ./pipeline promote} takes as flags (the CLI in
 * runners parses them).
 */
public interface PromoteOptions extends RegistryOptions, GateOptions {

  @Description("The candidate: NAME:VERSION (or NAME@ALIAS, resolved now)")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description("Move the alias even when the gate refuses; the alias history records forced=true")
  @Default.Boolean(false)
  boolean getForce();

  void setForce(boolean value);

  @Description(
      "Training-set directory: when given, candidate and holder are both scored on its test split and compared head to head instead of by their recorded AUCs")
  String getTestSet();

  void setTestSet(String value);
}
