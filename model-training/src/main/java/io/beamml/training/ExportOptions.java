package io.beamml.training;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * The request of {@link ExportModel}: what {@code ./pipeline export-model} takes as flags (the CLI
 * in runners parses them).
 */
public interface ExportOptions extends RegistryOptions {

  @Description("The model to export: NAME:VERSION or NAME@ALIAS")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description(
      "legacy-json: XGBoost JSON that every XGBoost from 1.0 on scores identically (e.g. Python xgboost 1.7); "
          + "json or ubj: as XGBoost 3.1 and later write it")
  @Default.String("legacy-json")
  String getFormat();

  void setFormat(String value);

  @Description("File to write (local or any Beam file system path)")
  @Validation.Required
  String getOutput();

  void setOutput(String value);
}
