package io.beamml.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The launcher's contract: subcommands, help, flag styles and exit codes. */
public class PipelineCliTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return PipelineCli.standard()
        .run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  public void everyJobsFlagsRegisterTogetherInOneJvm() {
    // The tests (one JVM per module) and retrain run several jobs in one JVM, and Beam refuses a
    // flag that two registered interfaces declare differently (once: --asOf of materialize and
    // training-set). The dev tools (generate, demo, benchmark-*), which keep their own defaults
    // for --customers, --days and --seed, are not on this module's classpath.
    for (Subcommand c : PipelineCli.standard().subcommands()) {
      PipelineOptionsFactory.register(c.optionsClass());
      c.launcherOptions().forEach(PipelineOptionsFactory::register);
    }
  }

  @Test
  public void helpListsEverySubcommand() {
    assertEquals(PipelineCli.OK, run("--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    for (String name :
        new String[] {
          "backfill",
          "training-set",
          "train",
          "promote",
          "register",
          "score",
          "drift-report",
          "stream",
          "serve"
        }) {
      assertThat(help, containsString("  " + name + " "));
    }
    for (String devTool : new String[] {"generate", "demo", "benchmark-backfill"}) {
      assertThat("not in the production CLI", help, not(containsString("  " + devTool + " ")));
    }
    assertThat(help, containsString("--runner=FlinkRunner --flinkMaster=[local]"));
  }

  @Test
  public void subcommandHelpListsItsFlags() {
    assertEquals(PipelineCli.OK, run("backfill", "--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    for (String flag :
        new String[] {
          "--clicks", "--sales", "--profiles", "--output", "--outputFormat", "--hmacKeyFile"
        }) {
      assertThat(help, containsString(flag));
    }
  }

  @Test
  public void everySubcommandThatRunsAJobListsTheMetricsFlags() {
    for (String command :
        new String[] {"backfill", "training-set", "score", "drift-report", "stream"}) {
      out.reset();
      assertEquals(PipelineCli.OK, run(command, "--help"));
      String help = out.toString(StandardCharsets.UTF_8);
      assertThat(command, help, containsString("--metricsPort"));
      assertThat(command, help, containsString("--metricsLingerSeconds"));
    }
  }

  @Test
  public void aTakenMetricsPortIsAUsageErrorBeforeTheJobRuns() throws Exception {
    Path key = tmp.getRoot().toPath().resolve("local.key");
    HmacKey.createLocalKey(key);
    Path output = tmp.getRoot().toPath().resolve("out");
    Files.writeString(tmp.getRoot().toPath().resolve("clicks-1.jsonl"), "");
    try (ServerSocket taken = new ServerSocket(0)) {
      assertEquals(
          PipelineCli.USAGE,
          run(
              "backfill",
              "--clicks=" + tmp.getRoot() + "/clicks-*.jsonl",
              "--hmacKeyFile=" + key,
              "--output=" + output,
              "--metricsPort=" + taken.getLocalPort()));
      assertThat(
          err.toString(StandardCharsets.UTF_8),
          containsString("--metricsPort=" + taken.getLocalPort() + ": the port is already in use"));
    }
    assertEquals("the job did not run", false, Files.exists(output.resolve("summary.json")));
  }

  @Test
  public void unknownSubcommandIsAUsageError() {
    assertEquals(PipelineCli.USAGE, run("backfil"));
    assertThat(
        err.toString(StandardCharsets.UTF_8), containsString("unknown subcommand 'backfil'"));
  }

  @Test
  public void backfillWithoutAKeySaysHowToGiveOne() {
    assertEquals(PipelineCli.USAGE, run("backfill", "--clicks=x", "--output=" + tmp.getRoot()));
    String message = err.toString(StandardCharsets.UTF_8);
    assertThat(message, containsString("--hmacKeyFile"));
    assertThat(message, containsString("PIPELINE_HMAC_KEY"));
  }

  @Test
  public void bothFlagStylesAreAccepted() {
    assertArrayEquals(
        new String[] {"--out=d", "--customers=5", "--force", "--days=2"},
        Args.normalize(new String[] {"--out", "d", "--customers=5", "--force", "--days", "2"}));
  }
}
