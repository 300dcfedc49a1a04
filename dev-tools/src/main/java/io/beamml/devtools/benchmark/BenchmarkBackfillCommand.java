package io.beamml.devtools.benchmark;

import io.beamml.devtools.GenerateCommand;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.pipelines.io.RawRecords;
import io.beamml.pipelines.options.InputOptions;
import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.pipelines.score.ScorePipeline;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.pipelines.trainingset.TrainingSetPipeline;
import io.beamml.runners.Subcommand;
import io.beamml.runners.commands.BatchRunnerDefaults;
import io.beamml.runners.commands.CommandSupport;
import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.Order;
import io.beamml.testdata.GenerationManifest;
import io.beamml.training.TrainModel;
import io.beamml.training.TrainOptions;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.parse.Parse;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code ./pipeline benchmark-backfill}: one command, one process tree, one run, so every figure is
 * measured on the same (shared, noisy) machine at the same moment and only ratios are compared. On
 * generated data it times the backfill on the default runner, on the Direct runner at a smaller
 * size, a Beam read-parse-write pass-through on the default runner and a plain single-threaded
 * Python script computing the same rows ({@code reference_backfill.py}), all after an untimed
 * warm-up; the pass-through, the pass-through with the backfill's two groupings (the ceiling of the
 * ratio for any backfill that groups by the real keys) and the backfill run {@code --rounds} times
 * in turn and their medians make the ratios. It fails unless the script's rows equal the
 * backfill's. {@code --jobs} adds training-set and score on the same data, {@code --scaling} the
 * backfill on four times the data, both beside the backfill's figure.
 */
public final class BenchmarkBackfillCommand implements Subcommand {

  private static final String PASS_THROUGH = "pass-through read-parse-write, default runner";
  private static final String GROUPED_PASS_THROUGH =
      "pass-through + both groupings, default runner";

  /** Flags of {@code ./pipeline benchmark-backfill}. */
  public interface Options extends PipelineOptions {
    @Description("Customers to generate (20000 customers x 30 days is about one million events)")
    @Default.Integer(20000)
    Integer getCustomers();

    void setCustomers(Integer value);

    @Description("Days of activity to generate")
    @Default.Integer(30)
    Integer getDays();

    void setDays(Integer value);

    @Description("Working directory for the generated data and the outputs")
    @Default.String("benchmark-output")
    String getWorkDir();

    void setWorkDir(String value);

    @Description(
        "Customers for the Direct runner's run (0 skips it); it is too slow for the full size")
    @Default.Integer(2000)
    Integer getDirectCustomers();

    void setDirectCustomers(Integer value);

    @Description(
        "Also time training-set and score (a model is trained, untimed, in between) on the same data")
    @Default.Boolean(true)
    Boolean getJobs();

    void setJobs(Boolean value);

    @Description(
        "Also time the backfill on 4x the customers (about four million events) and compare events/s")
    @Default.Boolean(false)
    Boolean getScaling();

    void setScaling(Boolean value);

    @Description(
        "Rounds of the pass-through and the backfill, taken in turn; the ratio compares their"
            + " medians (one run of each moves by a second or more on a shared machine)")
    @Default.Integer(3)
    Integer getRounds();

    void setRounds(Integer value);

    @Description(
        "Runner flags every timed job gets before the batch defaults, space-separated (say"
            + " \"--parallelism=1\"): to compare a configuration with the default's figures")
    @Default.String("")
    String getRunnerFlags();

    void setRunnerFlags(String value);

    @Description("The interpreter of the plain reference script")
    @Default.String("python3")
    String getPython();

    void setPython(String value);
  }

  private static final String KEY_TEXT = "benchmark-key-not-secret";

  /** Customers of the untimed warm-up run's data (about 50,000 events over 30 days). */
  private static final int WARM_UP_CUSTOMERS = 1000;

  private static final String REFERENCE_SCRIPT = "reference_backfill.py";

  @Override
  public String name() {
    return "benchmark-backfill";
  }

  @Override
  public String summary() {
    return "time the backfill (default runner, Direct) against a pass-through and a plain script computing the same rows";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return Options.class;
  }

  /** One timed run: what, how many events, seconds. */
  private record Timing(String what, long events, double seconds) {
    double eventsPerSecond() {
      return events / seconds;
    }
  }

  @Override
  public int run(String[] args) throws Exception {
    Options options = CommandSupport.options(args, Options.class);
    if (options.getRounds() < 1) {
      // Before the data and the warm-up, which take minutes.
      throw new IllegalArgumentException("--rounds must be at least 1, got " + options.getRounds());
    }
    Path work = Paths.get(options.getWorkDir()).toAbsolutePath();
    Files.createDirectories(work);
    Path keyFile = work.resolve("hmac.key");
    Files.write(keyFile, KEY_TEXT.getBytes(StandardCharsets.UTF_8));
    HmacKey key = HmacKey.fromFile(keyFile.toString());
    String flags = options.getRunnerFlags().trim();
    String[] defaults =
        BatchRunnerDefaults.withDefaults(flags.isEmpty() ? new String[0] : flags.split("\\s+"));
    List<Timing> timings = new ArrayList<>();
    List<String> report = new ArrayList<>();

    Path data = work.resolve("data");
    long events = generate(data, options.getCustomers(), options.getDays());
    say(
        report,
        String.format(
            "data: %d click + sales lines (%d customers x %d days) in %s; runner: %s (%s)",
            events,
            options.getCustomers(),
            options.getDays(),
            data,
            String.join(" ", defaults),
            flags.isEmpty() ? "the defaults" : "--runnerFlags, then the defaults"));

    // Untimed: the first Beam job in a JVM pays for class loading, JIT compilation and Flink's
    // start-up (about 4.5 s here), which would otherwise all fall on whichever job is timed first.
    Path warmUp = work.resolve("data-warm-up");
    generate(warmUp, WARM_UP_CUSTOMERS, options.getDays());
    CommandSupport.say("benchmark-backfill: warming up (untimed) ...");
    passThrough(warmUp, work.resolve("warm-up-pass-through"), defaults, false);
    passThrough(warmUp, work.resolve("warm-up-grouped-pass-through"), defaults, true);
    backfill(warmUp, work.resolve("warm-up-backfill"), defaults, key);

    if (options.getDirectCustomers() > 0) {
      Path small = work.resolve("data-direct");
      long smallEvents = generate(small, options.getDirectCustomers(), options.getDays());
      String[] direct =
          BatchRunnerDefaults.withDefaults(
              new String[] {"--runner=" + DirectRunner.class.getSimpleName()});
      Timing flinkSmall =
          time(
              report,
              "backfill, default runner, small",
              smallEvents,
              () -> backfill(small, work.resolve("backfill-small-default"), defaults, key));
      Timing directSmall =
          time(
              report,
              "backfill, Direct runner, small",
              smallEvents,
              () -> backfill(small, work.resolve("backfill-small-direct"), direct, key));
      timings.add(flinkSmall);
      timings.add(directSmall);
      say(
          report,
          String.format(
              "  Direct runner / default runner at %d events: %.2fx the time",
              smallEvents, directSmall.seconds / flinkSmall.seconds));
    }

    // In turn, so a slow spell of the machine falls on both; the medians are compared.
    Path backfillOut = work.resolve("backfill");
    List<Timing> passThroughs = new ArrayList<>();
    List<Timing> groupedPassThroughs = new ArrayList<>();
    List<Timing> backfills = new ArrayList<>();
    for (int round = 1; round <= options.getRounds(); round++) {
      String of = options.getRounds() > 1 ? " (round " + round + ")" : "";
      passThroughs.add(
          time(
              report,
              PASS_THROUGH + of,
              events,
              () -> passThrough(data, work.resolve("pass-through"), defaults, false)));
      groupedPassThroughs.add(
          time(
              report,
              GROUPED_PASS_THROUGH + of,
              events,
              () -> passThrough(data, work.resolve("grouped-pass-through"), defaults, true)));
      backfills.add(
          time(
              report,
              "backfill, default runner" + of,
              events,
              () -> backfill(data, backfillOut, defaults, key)));
    }
    Timing passThrough = median(report, PASS_THROUGH, passThroughs);
    Timing groupedPassThrough = median(report, GROUPED_PASS_THROUGH, groupedPassThroughs);
    Timing backfill = median(report, "backfill, default runner", backfills);
    timings.add(passThrough);
    timings.add(groupedPassThrough);
    Path referenceOut = work.resolve("reference.jsonl");
    Timing reference =
        time(
            report,
            "plain single-threaded script (python3)",
            events,
            () -> reference(options.getPython(), work, data, keyFile, referenceOut));
    timings.add(backfill);
    timings.add(reference);

    RowDigest ours =
        RowDigest.ofJsonLines(
            RowDigest.files(backfillOut.resolve(BackfillPipeline.FEATURES_DIR), ".jsonl"));
    RowDigest theirs = RowDigest.ofJsonLines(List.of(referenceOut));
    boolean same = ours.equals(theirs);
    say(
        report,
        String.format(
            "feature rows: backfill %s, script %s: %s",
            ours, theirs, same ? "the same rows" : "DIFFERENT"));
    say(
        report,
        String.format(
            "ratios: pass-through time / backfill time %.2f (goal >= 0.5); "
                + "script time / backfill time %.2f (goal >= 1)",
            passThrough.seconds / backfill.seconds, reference.seconds / backfill.seconds));
    say(
        report,
        String.format(
            "  the backfill's two groupings alone: pass-through time / grouped pass-through time"
                + " %.2f (no backfill that groups by event id and by customer can be above it"
                + " here); grouped pass-through time / backfill time %.2f",
            passThrough.seconds / groupedPassThrough.seconds,
            groupedPassThrough.seconds / backfill.seconds));

    if (options.getJobs()) {
      Timing trainingSet =
          time(
              report,
              "training-set, default runner",
              events,
              () -> trainingSet(data, work.resolve("training-set"), defaults, key));
      String registry = work.resolve("registry").toString();
      ModelMetadata model = train(work.resolve("training-set"), registry, data);
      Timing score =
          time(
              report,
              "score, default runner",
              events,
              () ->
                  score(
                      data,
                      work.resolve("score"),
                      registry,
                      "benchmark:" + model.version,
                      defaults,
                      key));
      timings.add(trainingSet);
      timings.add(score);
      say(
          report,
          String.format(
              "ratios: training-set / backfill %.2f, score / backfill %.2f (goal <= 2)",
              trainingSet.seconds / backfill.seconds, score.seconds / backfill.seconds));
    }

    if (options.getScaling()) {
      Path large = work.resolve("data-4x");
      long largeEvents = generate(large, options.getCustomers() * 4, options.getDays());
      Timing big =
          time(
              report,
              "backfill, default runner, 4x",
              largeEvents,
              () -> backfill(large, work.resolve("backfill-4x"), defaults, key));
      timings.add(big);
      say(
          report,
          String.format(
              "scaling: %.0f events/s at %d events, %.0f at %d: %.2fx (goal >= 0.8), max heap %d MB",
              backfill.eventsPerSecond(),
              events,
              big.eventsPerSecond(),
              largeEvents,
              big.eventsPerSecond() / backfill.eventsPerSecond(),
              Runtime.getRuntime().maxMemory() >> 20));
    }

    CommandSupport.say("");
    CommandSupport.say(
        String.format("%-48s %10s %9s %11s", "run", "events", "seconds", "events/s"));
    for (Timing t : timings) {
      String line =
          String.format(
              "%-48s %10d %9.1f %11.0f", t.what, t.events, t.seconds, t.eventsPerSecond());
      report.add(line);
      CommandSupport.say(line);
    }
    Files.write(work.resolve("benchmark.txt"), report, StandardCharsets.UTF_8);
    if (!same) {
      System.err.println(
          "benchmark-backfill: the script's feature rows differ from the backfill's");
      return 1;
    }
    return 0;
  }

  private static long generate(Path dir, int customers, int days) throws Exception {
    GenerationManifest manifest = GenerateCommand.generate(dir, customers, days, 7);
    return manifest.clicks().lines() + manifest.sales().lines();
  }

  private static Timing time(List<String> report, String what, long events, Callable<?> job)
      throws Exception {
    CommandSupport.say("benchmark-backfill: " + what + " ...");
    long start = System.nanoTime();
    job.call();
    Timing t = new Timing(what, events, (System.nanoTime() - start) / 1e9);
    say(report, String.format("  %s: %.1f s, %.0f events/s", what, t.seconds, t.eventsPerSecond()));
    return t;
  }

  /** The median run of several (the upper middle one of an even number). */
  private static Timing median(List<String> report, String what, List<Timing> runs) {
    List<Timing> sorted = new ArrayList<>(runs);
    sorted.sort(Comparator.comparingDouble(Timing::seconds));
    Timing middle = sorted.get(sorted.size() / 2);
    Timing median = new Timing(what, middle.events, middle.seconds);
    if (runs.size() > 1) {
      say(
          report,
          String.format(
              "  %s: median of %d rounds %.1f s (%.1f to %.1f s)",
              what,
              runs.size(),
              median.seconds,
              sorted.get(0).seconds,
              sorted.get(sorted.size() - 1).seconds));
    }
    return median;
  }

  private static void say(List<String> report, String line) {
    report.add(line);
    CommandSupport.say(line);
  }

  private static <T extends InputOptions> T inputs(String[] runnerArgs, Class<T> type, Path data) {
    T options = PipelineOptionsFactory.fromArgs(runnerArgs).as(type);
    CommandSupport.relaxDirectRunnerChecks(options, runnerArgs);
    options.setClicks(data.resolve("clicks") + "/*.jsonl");
    options.setSales(data.resolve("sales") + "/*.csv");
    options.setProfiles(data.resolve("profiles") + "/*.csv");
    return options;
  }

  /**
   * The backfill with JSON Lines out, as the script writes; {@code ReferenceBackfillParityTest}
   * runs it too.
   */
  static String backfill(Path data, Path out, String[] runnerArgs, HmacKey key) throws IOException {
    BackfillPipeline.Options options = inputs(runnerArgs, BackfillPipeline.Options.class, data);
    options.setOutput(out.toString());
    options.setOutputFormat(OutputFormat.jsonl);
    return balanced("backfill", BackfillPipeline.run(options, key), out);
  }

  private static String trainingSet(Path data, Path out, String[] runnerArgs, HmacKey key)
      throws IOException {
    TrainingSetPipeline.Options options =
        inputs(runnerArgs, TrainingSetPipeline.Options.class, data);
    options.setResponses(data.resolve("responses") + "/*.csv");
    options.setOutput(out.toString());
    return balanced("training-set", TrainingSetPipeline.run(options, key), out);
  }

  private static String score(
      Path data, Path out, String registry, String model, String[] runnerArgs, HmacKey key)
      throws IOException {
    ScorePipeline.Options options = inputs(runnerArgs, ScorePipeline.Options.class, data);
    options.setRegistry(registry);
    options.setModel(model);
    options.setOutput(out.toString());
    options.setOutputFormat(OutputFormat.jsonl);
    return balanced("score", ScorePipeline.run(options, key), out);
  }

  private static ModelMetadata train(Path trainingSet, String registry, Path data) {
    CommandSupport.say("benchmark-backfill: training a model to score with (not timed) ...");
    TrainOptions train = PipelineOptionsFactory.create().as(TrainOptions.class);
    train.setTrainingSet(trainingSet.toString());
    train.setRegistry(registry);
    train.setModelName("benchmark");
    train.setTruthFile(data.resolve("truth/response_probabilities.csv").toString());
    return TrainModel.run(train).metadata();
  }

  private static String balanced(String job, PipelineResult result, Path out) throws IOException {
    CommandSupport.requireDone(job, result.getState());
    String summary = RunSummary.read(out.toString());
    if (!RunSummary.isBalanced(summary)) {
      throw new IllegalStateException(job + ": the run summary does not balance");
    }
    return summary;
  }

  /**
   * Reads the clicks and sales, parses them and writes the parsed records as Avro: the floor under
   * any backfill (a backfill also validates, deduplicates, pseudonymises, groups, computes and
   * renders JSON). {@code grouped} adds the backfill's two groupings and nothing else: every record
   * through a {@code GroupByKey} by its event id, then one by its customer, back out as it came in.
   * That is the floor under any backfill that groups by the real keys, as issue 9 asks.
   */
  static PipelineResult passThrough(Path data, Path out, String[] runnerArgs, boolean grouped) {
    PipelineOptions options = PipelineOptionsFactory.fromArgs(runnerArgs).create();
    CommandSupport.relaxDirectRunnerChecks(options, runnerArgs);
    Pipeline p = Pipeline.create(options);
    PCollection<ClickEvent> clicks =
        p.apply("ReadClicks", RawRecords.lines(data.resolve("clicks") + "/*.jsonl"))
            .apply("ParseClicks", Parse.clicks())
            .output();
    PCollection<Order> sales =
        p.apply("ReadSales", RawRecords.csv(data.resolve("sales") + "/*.csv"))
            .apply("ParseSales", Parse.sales())
            .output();
    if (grouped) {
      clicks =
          regroup(
              "ByCustomer",
              regroup("ByEventId", clicks, ClickEvent::getEventId),
              ClickEvent::getCustomerId);
      sales =
          regroup(
              "ByCustomer", regroup("ByOrderId", sales, Order::getOrderId), Order::getCustomerId);
    }
    clicks.apply(
        "WriteClicks",
        AvroIO.write(ClickEvent.class)
            .to(out.resolve("clicks/part").toString())
            .withSuffix(".avro"));
    sales.apply(
        "WriteSales",
        AvroIO.write(Order.class).to(out.resolve("sales/part").toString()).withSuffix(".avro"));
    PipelineResult result = p.run();
    CommandSupport.requireDone("pass-through", result.waitUntilFinish());
    return result;
  }

  /** Every record through a {@code GroupByKey} by {@code key} and back out, unchanged. */
  private static <T> PCollection<T> regroup(
      String name, PCollection<T> records, SerializableFunction<T, String> key) {
    return records
        .apply(name + "Key", WithKeys.of(key).withKeyType(TypeDescriptors.strings()))
        .apply(name, GroupByKey.create())
        .apply(name + "Values", Values.create())
        .apply(name + "Ungroup", Flatten.iterables());
  }

  /**
   * Runs the plain script on the same files, with the same key, spec and contract, in a child
   * process; {@code ReferenceBackfillParityTest} runs it too, so the rows cannot drift apart
   * unseen.
   */
  static Integer reference(String python, Path work, Path data, Path keyFile, Path out)
      throws Exception {
    Path script = work.resolve(REFERENCE_SCRIPT);
    try (InputStream in =
        BenchmarkBackfillCommand.class.getResourceAsStream(
            "/io/beamml/devtools/benchmark/" + REFERENCE_SCRIPT)) {
      Files.write(script, in.readAllBytes());
    }
    Path spec = work.resolve("feature-spec.json");
    FeatureSpec featureSpec = FeatureSpec.defaultSpec();
    Files.writeString(spec, featureSpec.toCanonicalJson());
    Process process =
        new ProcessBuilder(
                python,
                script.toString(),
                "--clicks=" + data.resolve("clicks") + "/*.jsonl",
                "--sales=" + data.resolve("sales") + "/*.csv",
                "--profiles=" + data.resolve("profiles") + "/*.csv",
                "--key-file=" + keyFile,
                "--spec=" + spec,
                "--fingerprint=" + featureSpec.fingerprint(),
                "--countries=" + String.join(" ", Locale.getISOCountries()),
                "--now-millis=" + System.currentTimeMillis(),
                "--max-line-bytes="
                    + PipelineOptionsFactory.create().as(InputOptions.class).getMaxLineBytes(),
                "--out=" + out)
            .inheritIO()
            .start();
    int code = process.waitFor();
    if (code != 0) {
      throw new IllegalStateException(python + " " + script + " exited with " + code);
    }
    return code;
  }
}
