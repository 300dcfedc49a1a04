package io.beamml.devtools;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.pipelines.options.InputOptions;
import io.beamml.pipelines.score.ScorePipeline;
import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.pipelines.trainingset.TrainingSetPipeline;
import io.beamml.runners.Subcommand;
import io.beamml.runners.commands.BackfillCommand;
import io.beamml.runners.commands.BatchRunnerDefaults;
import io.beamml.runners.commands.CommandSupport;
import io.beamml.runners.commands.ModelCommandOutput;
import io.beamml.runners.commands.ScoreCommand;
import io.beamml.runners.commands.TrainingSetCommand;
import io.beamml.training.PromoteModel;
import io.beamml.training.PromoteOptions;
import io.beamml.training.Promotion;
import io.beamml.training.TrainModel;
import io.beamml.training.TrainOptions;
import io.beamml.training.TrainedVersion;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;

/**
 * {@code ./pipeline demo}: the whole path on generated data with embedded defaults. The one command
 * allowed to create its own HMAC key (a local file beside its outputs).
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

    @Description("With --streaming: how long the streaming demo runs, as an ISO-8601 duration")
    @Default.String("PT60S")
    String getStreamFor();

    void setStreamFor(String value);

    @Description("With --streaming: events a second the producer sends")
    @Default.Double(100)
    Double getEventsPerSecond();

    void setEventsPerSecond(Double value);
  }

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "generate, backfill, training-set, train, promote, score on embedded defaults; says where outputs are"
        + " (--streaming: train if needed, then score a live feed through Kafka on embedded Flink)";
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
    // So that stream flags (--featureMode, --allowedLateness, ...) parse alongside the demo's.
    PipelineOptionsFactory.register(StreamOptions.class);
    // The batch steps run where backfill, training-set and score run by default.
    Options options =
        CommandSupport.anyJobsFlags(BatchRunnerDefaults.withDefaults(args), Options.class);
    Path work = Paths.get(options.getWorkDir()).toAbsolutePath();
    Path data = work.resolve("data");

    CommandSupport.say(
        "demo [1/6] generate: "
            + options.getCustomers()
            + " customers x "
            + options.getDays()
            + " days into "
            + data);
    GenerateCommand.generate(data, options.getCustomers(), options.getDays(), options.getSeed());
    Path keyFile = work.resolve("hmac.key");
    HmacKey key = HmacKey.createLocalKey(keyFile);
    CommandSupport.say("demo: pseudonymisation key (local, demo only): " + keyFile);

    if (options.as(StreamingOptions.class).isStreaming()) {
      return runStreaming(options, args, work, data, key, keyFile);
    }

    CommandSupport.say("demo [2/6] backfill");
    BackfillPipeline.Options backfill = inputs(options.as(BackfillPipeline.Options.class), data);
    // Views from options.as(...) share one set of values: keep each output path in its own string.
    String backfillOut = work.resolve("backfill").toString();
    backfill.setOutput(backfillOut);
    int code = BackfillCommand.run(backfill, key);

    String registry = work.resolve("registry").toString();
    String trainingSetOut = work.resolve("training-set").toString();
    Trained trained =
        trainAndPromote(
            options,
            data,
            key,
            registry,
            trainingSetOut,
            "demo [3/6] ",
            "demo [4/6] ",
            "demo [5/6] ");
    code = firstFailure(code, trained.code);
    ModelMetadata model = trained.model;
    String scoringModel = trained.scoringModel;

    CommandSupport.say("demo [6/6] score with " + scoringModel);
    ScorePipeline.Options score = inputs(options.as(ScorePipeline.Options.class), data);
    score.setRegistry(registry);
    score.setModel(scoringModel);
    String scoresOut = work.resolve("scores").toString();
    score.setOutput(scoresOut);
    code = firstFailure(code, ScoreCommand.run(score, key));

    ModelRegistry models = ModelRegistry.at(registry);
    CommandSupport.say("");
    CommandSupport.say("demo: outputs under " + work);
    CommandSupport.say("  feature store:  " + backfillOut + "/features/");
    CommandSupport.say("  training set:   " + trainingSetOut + "/examples/");
    CommandSupport.say(
        "  model registry: " + registry + " (aliases " + models.aliases(MODEL_NAME) + ")");
    CommandSupport.say(
        "  model card:     " + models.versionDir(MODEL_NAME, model.version) + "/model-card.html");
    CommandSupport.say("  predictions:    " + scoresOut + "/predictions/");
    CommandSupport.say(
        String.format(
            "  test AUC %.3f (oracle %.3f from the generator's true probabilities)",
            model.metrics.getOrDefault("test_auc", Double.NaN),
            model.metrics.getOrDefault("oracle_auc", Double.NaN)));
    return code;
  }

  /** The exit code of the first step that did not succeed (each says what failed, see ExitCode). */
  private static int firstFailure(int soFar, int next) {
    return soFar != 0 ? soFar : next;
  }

  /**
   * What the training steps left: the model, the reference to score with and the exit code so far.
   */
  private record Trained(ModelMetadata model, String scoringModel, int code) {}

  /** training-set, train and promote to champion (or, if the gate refuses, the pinned version). */
  private static Trained trainAndPromote(
      Options options,
      Path data,
      HmacKey key,
      String registry,
      String trainingSetOut,
      String setStep,
      String trainStep,
      String promoteStep)
      throws Exception {
    CommandSupport.say(setStep + "training-set");
    TrainingSetPipeline.Options trainingSet =
        inputs(options.as(TrainingSetPipeline.Options.class), data);
    trainingSet.setResponses(data.resolve("responses") + "/*.csv");
    trainingSet.setOutput(trainingSetOut);
    int code = TrainingSetCommand.run(trainingSet, key);

    CommandSupport.say(trainStep + "train");
    TrainOptions train = options.as(TrainOptions.class);
    train.setTrainingSet(trainingSetOut);
    train.setRegistry(registry);
    train.setModelName(MODEL_NAME);
    train.setTruthFile(data.resolve("truth/response_probabilities.csv").toString());
    TrainedVersion trained = TrainModel.run(train, key);
    ModelCommandOutput.trained(System.out, trained);
    ModelMetadata model = trained.metadata();

    CommandSupport.say(
        promoteStep + "promote " + MODEL_NAME + ":" + model.version + " to champion");
    PromoteOptions promote = options.as(PromoteOptions.class);
    promote.setModel(MODEL_NAME + ":" + model.version);
    promote.setAlias("champion");
    promote.setReason("demo");
    String scoringModel = MODEL_NAME + "@champion";
    Promotion promotion = PromoteModel.run(promote);
    if (promotion.refused()) {
      CommandSupport.say(
          "demo: the gate refused ("
              + promotion.verdict().explanation()
              + "); scoring the pinned version instead");
      scoringModel = MODEL_NAME + ":" + model.version;
    } else {
      ModelCommandOutput.promotion(System.out, System.err, promotion);
    }
    return new Trained(model, scoringModel, code);
  }

  /**
   * {@code demo --streaming}: trains and promotes a model unless the registry under the work
   * directory already has a champion, then streams the generated events through an embedded broker
   * and the streaming job on embedded Flink for {@code --streamFor}, and stops everything.
   */
  private static int runStreaming(
      Options options, String[] args, Path work, Path data, HmacKey key, Path keyFile)
      throws Exception {
    String registry = work.resolve("registry").toString();
    String scoringModel = MODEL_NAME + "@champion";
    int code = 0;
    if (ModelRegistry.at(registry).versions(MODEL_NAME).isEmpty()
        || !ModelRegistry.at(registry).aliases(MODEL_NAME).containsKey("champion")) {
      // The batch pipelines below must not run as streaming jobs.
      options.as(StreamingOptions.class).setStreaming(false);
      Trained trained =
          trainAndPromote(
              options,
              data,
              key,
              registry,
              work.resolve("training-set").toString(),
              "demo [2/5] ",
              "demo [3/5] ",
              "demo [4/5] ");
      scoringModel = trained.scoringModel;
      code = trained.code;
    } else {
      CommandSupport.say("demo [2-4/5] " + registry + " already has a champion: no training");
    }

    CommandSupport.say(
        "demo [5/5] stream for "
            + options.getStreamFor()
            + " at "
            + options.getEventsPerSecond()
            + " events/s");
    StreamOptions stream = PipelineOptionsFactory.fromArgs(args).as(StreamOptions.class);
    stream.setRegistry(registry);
    stream.setModel(scoringModel);
    stream.setHmacKeyFile(keyFile.toString());
    if (!Arrays.asList(args).stream().anyMatch(a -> a.startsWith("--featureMode"))) {
      // Rows on arrival, so predictions show at once; --featureMode=exact waits for the watermark
      // plus the allowed lateness and gives rows identical to the backfill's.
      stream.setFeatureMode(StreamOptions.FeatureMode.low_latency);
    }
    Duration duration = Duration.parse(options.getStreamFor());
    long predictions =
        new StreamingDemo(stream, key, data, System.out)
            .run(duration, options.getEventsPerSecond());
    if (predictions == 0) {
      System.err.println(
          "demo: the streaming job wrote no predictions in " + duration.toSeconds() + " s");
      return 1;
    }
    return code;
  }

  /** Points a pipeline's inputs at the generated files. */
  private static <T extends InputOptions> T inputs(T options, Path data) {
    options.setClicks(data.resolve("clicks") + "/*.jsonl");
    options.setSales(data.resolve("sales") + "/*.csv");
    options.setProfiles(data.resolve("profiles") + "/*.csv");
    return options;
  }
}
