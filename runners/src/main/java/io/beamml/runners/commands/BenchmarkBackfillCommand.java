package io.beamml.runners.commands;

import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.runners.Subcommand;
import io.beamml.testdata.GenerationManifest;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * {@code ./pipeline benchmark-backfill}: events per second of the backfill on the Direct runner
 * and on embedded Flink, each beside a read-and-count baseline over the same files on the same
 * runner, so the figure says what the backfill costs beyond reading its input.
 */
public final class BenchmarkBackfillCommand implements Subcommand {

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

    @Description("Comma-separated runners to measure: direct, flink")
    @Default.String("direct,flink")
    String getRunners();

    void setRunners(String value);

    @Description("Parallelism of embedded Flink")
    @Default.Integer(2)
    Integer getFlinkParallelism();

    void setFlinkParallelism(Integer value);
  }

  @Override
  public String name() {
    return "benchmark-backfill";
  }

  @Override
  public String summary() {
    return "measure backfill events/s on Direct and embedded Flink against a read-only baseline";
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
    GenerationManifest manifest = GenerateCommand.generate(data, options.getCustomers(), options.getDays(), 7);
    long events = manifest.clicks().lines() + manifest.sales().lines();
    HmacKey key = HmacKey.ofBytes("benchmark-key-not-secret".getBytes(StandardCharsets.UTF_8));

    List<String> report = new ArrayList<>();
    report.add(String.format("%-14s %12s %12s %14s %14s %8s", "runner", "events", "baseline s", "baseline ev/s", "backfill ev/s", "ratio"));
    for (String runner : options.getRunners().split(",")) {
      String[] runnerArgs = runnerArgs(runner.trim(), options.getFlinkParallelism());
      double baseline = timeBaseline(data, runnerArgs);
      BackfillPipeline.Options backfill = PipelineOptionsFactory.fromArgs(runnerArgs).as(BackfillPipeline.Options.class);
      CommandSupport.relaxDirectRunnerChecks(backfill, runnerArgs);
      backfill.setClicks(data.resolve("clicks") + "/*.jsonl");
      backfill.setSales(data.resolve("sales") + "/*.csv");
      backfill.setProfiles(data.resolve("profiles") + "/*.csv");
      backfill.setOutput(work.resolve("backfill-" + runner.trim()).toString());
      backfill.setOutputFormat(OutputFormat.avro);
      long start = System.nanoTime();
      BackfillPipeline.run(backfill, key);
      double seconds = (System.nanoTime() - start) / 1e9;
      report.add(String.format("%-14s %12d %12.1f %14.0f %14.0f %8.2f  (backfill %.1f s)", runner.trim(), events,
          baseline, events / baseline, events / seconds, baseline / seconds, seconds));
      CommandSupport.say(report.get(report.size() - 1));
    }
    CommandSupport.say("");
    CommandSupport.say("backfill throughput (events = click lines + sales lines; ratio = backfill ev/s / baseline ev/s)");
    report.forEach(CommandSupport::say);
    Files.write(work.resolve("benchmark.txt"), report, StandardCharsets.UTF_8);
    return 0;
  }

  private static String[] runnerArgs(String runner, int parallelism) {
    switch (runner) {
      case "direct":
        return new String[] {"--runner=DirectRunner"};
      case "flink":
        return new String[] {"--runner=" + FlinkRunner.class.getSimpleName(), "--flinkMaster=[local]",
            "--parallelism=" + parallelism};
      default:
        throw new IllegalArgumentException("unknown runner '" + runner + "': use direct or flink");
    }
  }

  /** Seconds to read every input line and count them: the floor under any backfill. */
  private static double timeBaseline(Path data, String[] runnerArgs) {
    PipelineOptions options = PipelineOptionsFactory.fromArgs(runnerArgs).create();
    CommandSupport.relaxDirectRunnerChecks(options, runnerArgs);
    Pipeline p = Pipeline.create(options);
    PCollection<String> clicks = p.apply("ReadClicks", TextIO.read().from(data.resolve("clicks") + "/*.jsonl"));
    PCollection<String> sales = p.apply("ReadSales", TextIO.read().from(data.resolve("sales") + "/*.csv"));
    PCollectionList.of(clicks).and(sales).apply(Flatten.pCollections()).apply(Count.globally());
    long start = System.nanoTime();
    p.run().waitUntilFinish();
    return (System.nanoTime() - start) / 1e9;
  }
}
