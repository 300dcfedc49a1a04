package io.beamml.runners.commands;

import io.beamml.pipelines.trainingset.TrainingSetPipeline;
import io.beamml.runners.ExitCode;
import io.beamml.runners.Subcommand;
import io.beamml.training.GateOptions;
import io.beamml.training.ModelTrainingOptions;
import io.beamml.training.PromoteModel;
import io.beamml.training.PromoteOptions;
import io.beamml.training.Promotion;
import io.beamml.training.RegistryOptions;
import io.beamml.training.TrainModel;
import io.beamml.training.TrainOptions;
import io.beamml.training.TrainedVersion;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code ./pipeline retrain}: the one command a scheduler runs. Builds the training set of a recent
 * window (the training-set job, {@code --trainingWindowDays} up to {@code --asOf}), trains and
 * registers a version, scores it and the alias's holder on that set's test split, and moves the
 * alias through the gate or refuses with the gate's reason. Either way the alias history gets a
 * line. Exit 0: promoted; 3: refused (the version stays registered); 75: another writer moved the
 * alias meanwhile; the training-set job's codes (4, 5, 7) when it did not finish balanced.
 */
public final class RetrainCommand implements Subcommand {

  /** The training-set job's flags, and those of train and of the gate that retrain passes on. */
  public interface Options
      extends TrainingSetPipeline.Options, RegistryOptions, ModelTrainingOptions, GateOptions {}

  @Override
  public String name() {
    return "retrain";
  }

  @Override
  public String summary() {
    return "training set of a recent window, train, compare with the champion on its test split, promote or refuse (for schedulers)";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return Options.class;
  }

  @Override
  public List<Class<? extends PipelineOptions>> launcherOptions() {
    return CommandSupport.JOB_LAUNCHER_OPTIONS;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options options = BatchRunnerDefaults.options(args, Options.class);
    return run(options, CommandSupport.hmacKey(options.getHmacKeyFile()));
  }

  static int run(Options options, HmacKey key) throws Exception {
    String set = options.getOutput();
    String window =
        options.getTrainingWindowDays() == null
            ? "every response"
            : options.getTrainingWindowDays() + " days";
    String asOf =
        options.getAsOf() == null || options.getAsOf().isBlank() ? "now" : options.getAsOf();
    CommandSupport.say(
        "retrain [1/3] training set of " + window + " up to " + asOf + " into " + set);
    int code = TrainingSetCommand.run(options.as(TrainingSetPipeline.Options.class), key);
    if (code != ExitCode.OK.code()) {
      CommandSupport.say(
          "retrain: the training set did not finish balanced (exit " + code + "): nothing trained");
      return code;
    }

    CommandSupport.say("retrain [2/3] train " + options.getModelName());
    // Fresh options: train's own --minAuc (do not register) must not take the gate's.
    TrainOptions train = PipelineOptionsFactory.create().as(TrainOptions.class);
    train.setRegistry(options.getRegistry());
    train.setTrainingSet(set);
    train.setModelName(options.getModelName());
    train.setParam(options.getParam());
    train.setParamsFile(options.getParamsFile());
    train.setTruthFile(options.getTruthFile());
    TrainedVersion trained = TrainModel.run(train, key);
    ModelCommandOutput.trained(System.out, trained);

    String candidate = trained.metadata().name + ":" + trained.metadata().version;
    CommandSupport.say(
        "retrain [3/3] "
            + candidate
            + " against "
            + options.getModelName()
            + "@"
            + options.getAlias()
            + ", both on the test split of "
            + set);
    PromoteOptions promote = PipelineOptionsFactory.create().as(PromoteOptions.class);
    promote.setRegistry(options.getRegistry());
    promote.setModel(candidate);
    promote.setAlias(options.getAlias());
    promote.setMinAuc(options.getMinAuc());
    promote.setMaxAucDrop(options.getMaxAucDrop());
    promote.setTestSet(set);
    String given =
        options.getReason() == null || options.getReason().isBlank()
            ? ""
            : options.getReason() + "; ";
    promote.setReason(given + "retrain on " + window + " up to " + asOf);
    Promotion promotion = PromoteModel.run(promote, true);
    ModelCommandOutput.promotion(System.out, System.err, promotion);
    return (promotion.refused() ? ExitCode.PROMOTION_REFUSED : ExitCode.OK).code();
  }
}
