package io.beamml.runners.commands;

import io.beamml.runners.Subcommand;
import io.beamml.training.TrainCommand;
import io.beamml.training.TrainOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code ./pipeline train}: XGBoost on a training set, evaluated, carded and registered. */
public final class TrainModelCommand implements Subcommand {

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "fit XGBoost on a training set, report AUC (beside the oracle's), register a new model version";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return TrainOptions.class;
  }

  @Override
  public int run(String[] args) {
    TrainCommand.run(CommandSupport.options(args, TrainOptions.class), System.out);
    return 0;
  }
}
