package io.beamml.devtools;

import io.beamml.runners.Subcommand;
import io.beamml.runners.commands.CommandSupport;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GenerationManifest;
import io.beamml.testdata.GeneratorConfig;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** {@code ./pipeline generate}: realistic data in the contract's formats, with known answers. */
public final class GenerateCommand implements Subcommand {

  /** Flags of {@code ./pipeline generate}. */
  public interface Options extends PipelineOptions {
    @Description(
        "Directory to write clicks/, sales/, profiles/, responses/, truth/ and manifest.json into")
    @Validation.Required
    String getOut();

    void setOut(String value);

    @Description("Number of customers")
    @Default.Integer(1000)
    Integer getCustomers();

    void setCustomers(Integer value);

    @Description("Number of days of activity, starting 2026-01-01 UTC")
    @Default.Integer(14)
    Integer getDays();

    void setDays(Integer value);

    @Description("Random seed: the same seed writes the same bytes")
    @Default.Long(1)
    Long getSeed();

    void setSeed(Long value);
  }

  @Override
  public String name() {
    return "generate";
  }

  @Override
  public String summary() {
    return "write realistic clicks, sales, profiles and promo responses (with bad rows, duplicates, true probabilities)";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return Options.class;
  }

  @Override
  public int run(String[] args) throws Exception {
    Options options = CommandSupport.options(args, Options.class);
    generate(
        Paths.get(options.getOut()), options.getCustomers(), options.getDays(), options.getSeed());
    return 0;
  }

  public static GenerationManifest generate(Path out, int customers, int days, long seed)
      throws Exception {
    long start = System.nanoTime();
    GenerationManifest manifest =
        DataGenerator.generate(GeneratorConfig.of(customers, days, seed), out);
    CommandSupport.say(manifest.summary());
    CommandSupport.say(
        String.format("generate: wrote %s in %.1f s", out, (System.nanoTime() - start) / 1e9));
    return manifest;
  }
}
