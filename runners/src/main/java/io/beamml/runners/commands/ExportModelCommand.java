package io.beamml.runners.commands;

import io.beamml.runners.ExitCode;
import io.beamml.runners.Subcommand;
import io.beamml.training.ExportModel;
import io.beamml.training.ExportOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ./pipeline export-model}: a registered model in a form another XGBoost reader scores
 * identically.
 */
public final class ExportModelCommand implements Subcommand {

  @Override
  public String name() {
    return "export-model";
  }

  @Override
  public String summary() {
    return "write a registered model for another reader; legacy-json is scored identically by XGBoost 1.x-3.0 (Python 1.7)";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return ExportOptions.class;
  }

  @Override
  public int run(String[] args) {
    ModelCommandOutput.exported(
        System.out, ExportModel.run(CommandSupport.options(args, ExportOptions.class)));
    return ExitCode.OK.code();
  }
}
