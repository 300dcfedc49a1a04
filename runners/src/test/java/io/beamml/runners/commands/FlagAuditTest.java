package io.beamml.runners.commands;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;

import io.beamml.runners.ExitCode;
import io.beamml.runners.PipelineCli;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A flag a subcommand lists in its --help, it takes; a flag of another job it refuses, even when
 * that job's options were registered earlier in the same JVM (Beam would otherwise parse it and
 * nothing would read it).
 */
public class FlagAuditTest {

  private static final Pattern FLAG = Pattern.compile("^  --([a-zA-Z0-9]+)=", Pattern.MULTILINE);

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  public void trainingSetRefusesOutputFormatInsteadOfIgnoringIt() throws Exception {
    Path key = tmp.getRoot().toPath().resolve("k");
    HmacKey.createLocalKey(key);
    // backfill's options (with --outputFormat) are registered in this JVM from here on.
    assertEquals(0, run("backfill", "--help"));
    Path sample = BatchRunsTest.sample(); // nothing is read: the flag is refused first
    int code =
        run(
            "training-set",
            "--clicks=" + sample.resolve("clicks") + "/*.jsonl",
            "--responses=" + sample.resolve("responses") + "/*.csv",
            "--hmacKeyFile=" + key,
            "--output=" + tmp.getRoot().toPath().resolve("ts"),
            "--outputFormat=jsonl");
    assertEquals(ExitCode.USAGE.code(), code);
    assertThat(
        err.toString(StandardCharsets.UTF_8),
        containsString("--outputFormat is another job's flag"));

    out.reset();
    assertEquals(0, run("training-set", "--help"));
    List<String> listed = listedFlags(out.toString(StandardCharsets.UTF_8));
    assertThat(listed, not(hasItem("outputFormat")));
    assertThat(listed, hasItem("exampleFormat"));
  }

  @Test
  public void trainTakesTheHmacKeyFileLikeEveryOtherJob() throws Exception {
    Path key = tmp.getRoot().toPath().resolve("k");
    HmacKey.createLocalKey(key);
    assertEquals(0, run("train", "--help"));
    assertThat(listedFlags(out.toString(StandardCharsets.UTF_8)), hasItem("hmacKeyFile"));
    // Parsed and taken: the run gets as far as its input, which is not there.
    int code =
        run(
            "train",
            "--hmacKeyFile=" + key,
            "--trainingSet=" + tmp.getRoot().toPath().resolve("none"),
            "--registry=" + tmp.getRoot().toPath().resolve("registry"),
            "--modelName=m");
    assertEquals(err.toString(StandardCharsets.UTF_8), ExitCode.INPUT_MISSING.code(), code);
    assertThat(err.toString(StandardCharsets.UTF_8), containsString("--trainingSet="));
  }

  @Test
  public void theJobsThatShareAFlagGiveItTheSameDefault() {
    // Beam refuses an options interface whose flag contradicts a registered one's default: register
    // and the jobs over raw inputs both take --featureSpec, empty meaning the shipped spec.
    for (String command :
        new String[] {
          "backfill", "training-set", "score", "register", "promote", "retrain", "train"
        }) {
      out.reset();
      assertEquals(command, 0, run(command, "--help"));
    }
    assertThat(listedFlags(out.toString(StandardCharsets.UTF_8)), hasItem("trainingSet"));
  }

  /**
   * Flags listed in the io.beamml sections of a --help text (Beam's sections start with the
   * interface name).
   */
  private static List<String> listedFlags(String help) {
    List<String> flags = new ArrayList<>();
    boolean ours = false;
    for (String line : help.split("\n")) {
      if (!line.startsWith(" ") && line.endsWith(":")) {
        ours = line.startsWith("io.beamml.");
      }
      Matcher m = FLAG.matcher(line);
      if (ours && m.find()) {
        flags.add(m.group(1));
      }
    }
    return flags;
  }

  private int run(String... args) {
    return PipelineCli.standard()
        .run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
