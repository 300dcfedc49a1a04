package io.beamml.runners.commands;

import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.pipelines.options.InputOptions;
import io.beamml.pipelines.score.ScorePipeline;
import io.beamml.pipelines.trainingset.TrainingSetPipeline;
import io.beamml.training.PromoteCommand;
import io.beamml.training.PromoteOptions;
import io.beamml.training.PromotionRefusedException;
import io.beamml.training.TrainCommand;
import io.beamml.training.TrainOptions;
import io.beamml.runners.Subcommand;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ./pipeline demo}: the whole path on generated data with embedded defaults. The one
 * command allowed to create its own HMAC key (a local file beside its outputs).
 */
public final class DemoCommand implements Subcommand {

  public static final String MODEL_NAME = "promo-response";

  /** Flags of {@code ./pipeline demo}; runner flags pass through to every pipeline it runs. */
  public interface Options extends PipelineOptions {
    @Description("Directory for the demo's data, key and outputs")
    @Default.String("demo-output")
    String getWorkDir();

    void setWorkDir(String value);

    @Description("Customers to generate")
    @Default.Integer(1500)
    Integer getCustomers();

    void setCustomers(Integer value);

    @Description("Days of activity to generate")
    @Default.Integer(21)
    Integer getDays();

    void setDays(Integer value);

    @Description("Random seed of the generated data")
    @Default.Long(42)
    Long getSeed();

    void setSeed(Long value);
  }

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "generate, backfill, training-set, train, promote, score on embedded defaults; says where outputs are";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return Options.class;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options options = CommandSupport.options(args, Options.class);
    Path work = Paths.get(options.getWorkDir()).toAbsolutePath();
    Path data = work.resolve("data");

    CommandSupport.say("demo [1/6] generate: " + options.getCustomers() + " customers x " + options.getDays()
        + " days into " + data);
    GenerateCommand.generate(data, options.getCustomers(), options.getDays(), options.getSeed());
    Path keyFile = work.resolve("hmac.key");
    HmacKey key = HmacKey.createLocalKey(keyFile);
    CommandSupport.say("demo: pseudonymisation key (local, demo only): " + keyFile);

    CommandSupport.say("demo [2/6] backfill");
    BackfillPipeline.Options backfill = inputs(options.as(BackfillPipeline.Options.class), data);
    // Views from options.as(...) share one set of values: keep each output path in its own string.
    String backfillOut = work.resolve("backfill").toString();
    backfill.setOutput(backfillOut);
    int code = BackfillCommand.run(backfill, key);

    CommandSupport.say("demo [3/6] training-set");
    TrainingSetPipeline.Options trainingSet = inputs(options.as(TrainingSetPipeline.Options.class), data);
    trainingSet.setResponses(data.resolve("responses") + "/*.csv");
    String trainingSetOut = work.resolve("training-set").toString();
    trainingSet.setOutput(trainingSetOut);
    code = Math.max(code, TrainingSetCommand.run(trainingSet, key));

    CommandSupport.say("demo [4/6] train");
    String registry = work.resolve("registry").toString();
    TrainOptions train = options.as(TrainOptions.class);
    train.setTrainingSet(trainingSetOut);
    train.setRegistry(registry);
    train.setModelName(MODEL_NAME);
    train.setTruthFile(data.resolve("truth/response_probabilities.csv").toString());
    ModelMetadata model = TrainCommand.run(train, System.out);

    CommandSupport.say("demo [5/6] promote " + MODEL_NAME + ":" + model.version + " to champion");
    PromoteOptions promote = options.as(PromoteOptions.class);
    promote.setModel(MODEL_NAME + ":" + model.version);
    promote.setAlias("champion");
    promote.setReason("demo");
    String scoringModel = MODEL_NAME + "@champion";
    try {
      PromoteCommand.run(promote, System.out);
    } catch (PromotionRefusedException e) {
      CommandSupport.say("demo: the gate refused (" + e.getMessage() + "); scoring the pinned version instead");
      scoringModel = MODEL_NAME + ":" + model.version;
    }

    CommandSupport.say("demo [6/6] score with " + scoringModel);
    ScorePipeline.Options score = inputs(options.as(ScorePipeline.Options.class), data);
    score.setRegistry(registry);
    score.setModel(scoringModel);
    String scoresOut = work.resolve("scores").toString();
    score.setOutput(scoresOut);
    code = Math.max(code, ScoreCommand.run(score, key));

    ModelRegistry models = ModelRegistry.at(registry);
    CommandSupport.say("");
    CommandSupport.say("demo: outputs under " + work);
    CommandSupport.say("  feature store:  " + backfillOut + "/features/");
    CommandSupport.say("  training set:   " + trainingSetOut + "/examples/");
    CommandSupport.say("  model registry: " + registry + " (aliases " + models.aliases(MODEL_NAME) + ")");
    CommandSupport.say("  model card:     " + models.versionDir(MODEL_NAME, model.version) + "/model-card.html");
    CommandSupport.say("  predictions:    " + scoresOut + "/predictions/");
    CommandSupport.say(String.format("  test AUC %.3f (oracle %.3f from the generator's true probabilities)",
        model.metrics.getOrDefault("test_auc", Double.NaN), model.metrics.getOrDefault("oracle_auc", Double.NaN)));
    if (code != 0) {
      return code;
    }
    return 0;
  }

  /** Points a pipeline's inputs at the generated files. */
  private static <T extends InputOptions> T inputs(T options, Path data) {
    options.setClicks(data.resolve("clicks") + "/*.jsonl");
    options.setSales(data.resolve("sales") + "/*.csv");
    options.setProfiles(data.resolve("profiles") + "/*.csv");
    return options;
  }
}
