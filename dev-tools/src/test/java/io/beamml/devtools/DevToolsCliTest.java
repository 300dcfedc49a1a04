package io.beamml.devtools;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import io.beamml.runners.PipelineCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The dev tools join the launcher's subcommands from this jar's service file. */
public class DevToolsCliTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private int run(String... args) {
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    return PipelineCli.standard().run(args, print, print);
  }

  @Test
  public void helpListsTheDevToolsBesideTheProductionSubcommands() {
    assertEquals(PipelineCli.OK, run("--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    for (String name :
        new String[] {
          "backfill",
          "stream",
          "generate",
          "demo",
          "benchmark-backfill",
          "benchmark-stream",
          "benchmark-serve"
        }) {
      assertThat(help, containsString("  " + name + " "));
    }
  }

  @Test
  public void generateWritesTheContractFiles() throws Exception {
    Path dir = tmp.newFolder("gen").toPath();
    assertEquals(
        PipelineCli.OK,
        run(
            "generate",
            "--out",
            dir.toString(),
            "--customers",
            "20",
            "--days",
            "3",
            "--seed",
            "5"));
    for (String part :
        new String[] {
          "clicks",
          "sales",
          "profiles/profiles.csv",
          "responses/responses.csv",
          "truth/response_probabilities.csv",
          "manifest.json"
        }) {
      assertEquals(part, true, Files.exists(dir.resolve(part)));
    }
  }
}
