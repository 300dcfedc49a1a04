package io.beamml.runners.commands;

import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.pipelines.options.OutputOptions.OutputFormat;
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

  /** Flags of {@code ./pipeline demo}; runner flags pass through to every pipeline it runs. */
  public interface Options extends PipelineOptions {
    @Description("Directory for the demo's data, key and outputs")
    @Default.String("demo-output")
    String getWorkDir();

    void setWorkDir(String value);

    @Description("Customers to generate")
    @Default.Integer(2000)
    Integer getCustomers();

    void setCustomers(Integer value);

    @Description("Days of activity to generate")
    @Default.Integer(28)
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
    return "generate data, then backfill it, with embedded defaults; says where every output is";
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

    CommandSupport.say("demo [1/2] generating " + options.getCustomers() + " customers x " + options.getDays() + " days into " + data);
    GenerateCommand.generate(data, options.getCustomers(), options.getDays(), options.getSeed());
    Path keyFile = work.resolve("hmac.key");
    HmacKey key = HmacKey.createLocalKey(keyFile);
    CommandSupport.say("demo: pseudonymisation key (local, demo only): " + keyFile);

    CommandSupport.say("demo [2/2] backfill");
    BackfillPipeline.Options backfill = options.as(BackfillPipeline.Options.class);
    backfill.setClicks(data.resolve("clicks") + "/*.jsonl");
    backfill.setSales(data.resolve("sales") + "/*.csv");
    backfill.setProfiles(data.resolve("profiles") + "/*.csv");
    backfill.setOutput(work.resolve("backfill").toString());
    backfill.setOutputFormat(OutputFormat.avro);
    int code = BackfillCommand.run(backfill, key);
    if (code != 0) {
      return code;
    }
    CommandSupport.say("demo: done. Outputs under " + work);
    return 0;
  }
}
