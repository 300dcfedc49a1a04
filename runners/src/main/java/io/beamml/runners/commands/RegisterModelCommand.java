package io.beamml.runners.commands;

import io.beamml.pipelines.options.InputPatterns;
import io.beamml.runners.ExitCode;
import io.beamml.runners.Subcommand;
import io.beamml.training.ImportModel;
import io.beamml.training.RegisterOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code ./pipeline register}: import a model trained elsewhere (XGBoost JSON or UBJ). */
public final class RegisterModelCommand implements Subcommand {

  @Override
  public String name() {
    return "register";
  }

  @Override
  public String summary() {
    return "import an XGBoost JSON/UBJ model trained elsewhere (e.g. Python) as a new version";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return RegisterOptions.class;
  }

  @Override
  public int run(String[] args) {
    RegisterOptions options = CommandSupport.options(args, RegisterOptions.class);
    InputPatterns.create()
        .flag("modelFile", options.getModelFile())
        .flag("featureSpec", options.getFeatureSpec())
        .flag("truthFile", options.getTruthFile())
        .requireMatches();
    ModelCommandOutput.imported(System.out, ImportModel.run(options));
    return ExitCode.OK.code();
  }
}
