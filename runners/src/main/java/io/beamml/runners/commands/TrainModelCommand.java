package io.beamml.runners.commands;

import io.beamml.pipelines.options.HmacKeyOptions;
import io.beamml.pipelines.options.InputPatterns;
import io.beamml.runners.ExitCode;
import io.beamml.runners.Subcommand;
import io.beamml.training.TrainModel;
import io.beamml.training.TrainOptions;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.transforms.pseudonymise.HmacKey;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code ./pipeline train}: XGBoost on a training set, evaluated, carded and registered. */
public final class TrainModelCommand implements Subcommand {

  /**
   * Flags of {@code ./pipeline train}: the trainer's, and the HMAC key every job over customer data
   * takes. Train reads no raw ids but the truth file's: given the key, they join on customer too.
   */
  public interface Options extends TrainOptions, HmacKeyOptions {}

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
    return Options.class;
  }

  @Override
  public int run(String[] args) {
    Options options = CommandSupport.options(args, Options.class);
    String keyFile = options.getHmacKeyFile();
    HmacKey key = keyFile == null || keyFile.isBlank() ? null : CommandSupport.hmacKey(keyFile);
    InputPatterns.create()
        .flag(
            "trainingSet",
            trimSlash(options.getTrainingSet()) + "/" + TrainingSetReader.EXAMPLES_GLOB)
        .flag("truthFile", options.getTruthFile())
        .flag("paramsFile", options.getParamsFile())
        .requireMatches();
    ModelCommandOutput.trained(System.out, TrainModel.run(options, key));
    return ExitCode.OK.code();
  }

  private static String trimSlash(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
