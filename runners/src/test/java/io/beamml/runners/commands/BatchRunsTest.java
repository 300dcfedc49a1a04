package io.beamml.runners.commands;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.local.SyntheticModel;
import io.beamml.runners.ExitCode;
import io.beamml.runners.PipelineCli;
import io.beamml.schemas.FeatureRow;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Batch runs through the launcher, as a user runs them: a re-run into the same output replaces it
 * whole (no stale shards, no attempts left), the published files match the summary, dead letters
 * are owner-only, and failures exit with their own code and one line. One backfill of the committed
 * sample is run twice for the whole class.
 */
public class BatchRunsTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static Path SAMPLE;
  private static Path key;
  private static Path output;
  private static Path staleShard;
  private static Path staleDeadLetters;
  private static Path killedAttempt;
  private static int firstCode;
  private static int secondCode;

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeClass
  public static void backfillTwice() throws Exception {
    // Small generated data with bad rows (dead letters) and duplicates: the runs, not the data, are
    // tested.
    SAMPLE = TMP.getRoot().toPath().resolve("data");
    DataGenerator.generate(
        GeneratorConfig.of(30, 2, 5).withBadRowRate(0.05).withIncludeOversizedLines(false), SAMPLE);
    key = TMP.getRoot().toPath().resolve("hmac.key");
    HmacKey.createLocalKey(key);
    output = TMP.getRoot().toPath().resolve("out");
    firstCode = cli(new ByteArrayOutputStream(), backfillArgs(output));
    // What a previous run with other shard counts, and a run killed mid-way, would have left.
    // Shard counts no run of this data writes, so a file found there later can only be stale.
    staleShard = output.resolve("features/event_date=2026-01-01/part-00097-of-00098.avro");
    Files.createDirectories(staleShard.getParent());
    Files.write(staleShard, new byte[] {1, 2, 3});
    staleDeadLetters = output.resolve("dead-letters/part-00097-of-00098.jsonl");
    Files.writeString(staleDeadLetters, "{\"raw\": \"a stale dead letter\"}\n");
    killedAttempt = output.resolveSibling(".out.attempt-20260101T000000Z-999999.1@elsewhere");
    Files.createDirectories(killedAttempt.resolve("dead-letters/.temp-beam-x"));
    Files.writeString(
        killedAttempt.resolve("dead-letters/.temp-beam-x/raw.jsonl"), "personal data\n");
    secondCode = cli(new ByteArrayOutputStream(), backfillArgs(output));
  }

  @Test
  public void aReRunLeavesExactlyOneRunsFilesAndTheyMatchItsSummary() throws Exception {
    assertEquals(0, firstCode);
    assertEquals(0, secondCode);
    assertFalse("a stale shard of the previous run survived", Files.exists(staleShard));
    assertFalse("a stale dead-letter shard survived", Files.exists(staleDeadLetters));
    JsonNode summary = new ObjectMapper().readTree(output.resolve("summary.json").toFile());
    long featureRows = 0;
    for (Path avro : files(output.resolve("features"), ".avro")) {
      try (DataFileReader<FeatureRow> rows =
          new DataFileReader<>(avro.toFile(), new SpecificDatumReader<>(FeatureRow.class))) {
        for (Iterator<FeatureRow> it = rows.iterator(); it.hasNext(); it.next()) {
          featureRows++;
        }
      }
    }
    assertEquals(
        summary.path("sources").path("clicks").path("records_out").asLong()
            + summary.path("sources").path("sales").path("records_out").asLong(),
        featureRows);
    long deadLetters = 0;
    for (Path jsonl : files(output.resolve("dead-letters"), ".jsonl")) {
      deadLetters += Files.readAllLines(jsonl).size();
    }
    long expected = 0;
    for (Iterator<JsonNode> s = summary.path("sources").elements(); s.hasNext(); ) {
      expected += s.next().path("dead_letters_total").asLong();
    }
    assertTrue("the sample has bad rows", expected > 0);
    assertEquals(expected, deadLetters);
    assertTrue("a published run is marked complete", Files.exists(output.resolve("_SUCCESS")));
  }

  @Test
  public void noAttemptOrTempDirectoryIsLeftBehind() throws Exception {
    assertFalse("the killed run's attempt (raw data) was removed", Files.exists(killedAttempt));
    try (Stream<Path> siblings = Files.list(output.getParent())) {
      assertThat(
          siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".out.")).toList(),
          empty());
    }
    try (Stream<Path> all = Files.walk(output)) {
      assertThat(
          all.filter(p -> p.getFileName().toString().startsWith(".temp-beam")).toList(), empty());
    }
  }

  @Test
  public void deadLettersAreOwnerOnlyAndTheRestStaysReadable() throws Exception {
    Path deadLetters = output.resolve("dead-letters");
    assertEquals(
        "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(deadLetters)));
    List<Path> written = files(deadLetters, ".jsonl");
    assertThat(written, not(empty()));
    for (Path f : written) {
      assertEquals(
          f.toString(),
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(output)));
  }

  @Test
  public void aPatternThatMatchesNothingFailsBeforeTheRunAndNamesTheFlag() {
    Path out = TMP.getRoot().toPath().resolve("no-input");
    int code =
        cli(
            err,
            "backfill",
            "--clicks=" + SAMPLE.resolve("clicks") + "/*.json",
            "--sales=" + SAMPLE.resolve("sales") + "/*.csv",
            "--hmacKeyFile=" + key,
            "--output=" + out);
    assertEquals(ExitCode.INPUT_MISSING.code(), code);
    assertThat(
        errText(),
        containsString("--clicks=" + SAMPLE.resolve("clicks") + "/*.json matches no file"));
    assertFalse("nothing was written", Files.exists(out));
    assertFalse("one line, no stack trace", errText().contains("\tat "));
  }

  @Test
  public void trainingSetChecksItsResponsesPatternToo() {
    int code =
        cli(
            err,
            "training-set",
            "--clicks=" + SAMPLE.resolve("clicks") + "/*.jsonl",
            "--responses=" + SAMPLE.resolve("responses") + "/*.jsonl",
            "--hmacKeyFile=" + key,
            "--output=" + TMP.getRoot().toPath().resolve("ts"));
    assertEquals(ExitCode.INPUT_MISSING.code(), code);
    assertThat(errText(), containsString("--responses="));
  }

  @Test
  public void anOutputThatIsAFileIsRefusedInOneLine() throws Exception {
    Path file = TMP.newFile("taken").toPath();
    assertEquals(ExitCode.OUTPUT_REFUSED.code(), cli(err, backfillArgs(file)));
    assertThat(errText(), containsString("output " + file + " is a file"));
    assertFalse("one line, no stack trace", errText().contains("\tat "));
  }

  @Test
  public void aDirectoryThatHoldsNoRunIsReplacedOnlyWithOverwrite() throws Exception {
    Path mine = TMP.newFolder("my-documents").toPath();
    Files.writeString(mine.resolve("thesis.txt"), "not a run's output");
    assertEquals(ExitCode.OUTPUT_REFUSED.code(), cli(err, backfillArgs(mine)));
    assertThat(errText(), containsString("--overwrite"));
    assertTrue("left alone", Files.exists(mine.resolve("thesis.txt")));
  }

  @Test
  public void aTamperedModelExitsWithItsOwnCodeInOneLineAndLeavesNoOutput() throws Exception {
    String registry = TMP.getRoot().toPath().resolve("registry").toString();
    String version =
        SyntheticModel.register(registry, "tampered", FeatureSpec.defaultSpec(), 3, 4, 2);
    ModelRegistry models = ModelRegistry.at(registry);
    Path modelFile =
        Paths.get(models.versionDir("tampered", version))
            .resolve(models.metadata("tampered", version).modelFile);
    Files.write(modelFile, " ".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    Path out = TMP.getRoot().toPath().resolve("scores");
    String[] score = {
      "score",
      "--features=" + output.resolve("features") + "/*/*.avro",
      "--registry=" + registry,
      "--model=tampered:" + version,
      "--output=" + out
    };

    assertEquals(ExitCode.INTEGRITY_REFUSED.code(), cli(err, score));
    assertThat(errText(), containsString("does not match its registered SHA-256"));
    assertFalse("one line, no stack trace", errText().contains("\tat "));
    assertFalse("the failed run published nothing", Files.exists(out));
    try (Stream<Path> siblings = Files.list(out.getParent())) {
      assertThat(
          "the failed run's attempt was removed",
          siblings
              .map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith(".scores."))
              .toList(),
          empty());
    }

    err.reset();
    String[] verbose = new String[score.length + 1];
    System.arraycopy(score, 0, verbose, 0, score.length);
    verbose[score.length] = "--verbose";
    assertEquals(ExitCode.INTEGRITY_REFUSED.code(), cli(err, verbose));
    assertThat("--verbose adds the stack trace", errText(), containsString("\tat "));
  }

  @Test
  public void aRunStillBeingPublishedIsNotReadAsFeatures() throws Exception {
    Path partial = TMP.newFolder("partial").toPath();
    Files.createDirectories(partial.resolve("features/event_date=2026-01-01"));
    Files.copy(
        files(output.resolve("features"), ".avro").get(0),
        partial.resolve("features/event_date=2026-01-01/part-00000-of-00001.avro"));
    Files.copy(output.resolve("summary.json"), partial.resolve("summary.json"));
    int code =
        cli(
            err,
            "score",
            "--features=" + partial.resolve("features") + "/*/*.avro",
            "--registry=" + TMP.getRoot(),
            "--model=m:1",
            "--output=" + TMP.getRoot().toPath().resolve("never"));
    assertEquals(ExitCode.INPUT_MISSING.code(), code);
    assertThat(errText(), containsString("no _SUCCESS"));
  }

  private String errText() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static String[] backfillArgs(Path out) {
    return new String[] {
      "backfill",
      "--clicks=" + SAMPLE.resolve("clicks") + "/*.jsonl",
      "--sales=" + SAMPLE.resolve("sales") + "/*.csv",
      "--profiles=" + SAMPLE.resolve("profiles") + "/*.csv",
      "--hmacKeyFile=" + key,
      "--output=" + out
    };
  }

  static int cli(ByteArrayOutputStream err, String... args) {
    return PipelineCli.standard()
        .run(
            args,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(suffix))
          .sorted()
          .toList();
    }
  }

  static Path sample() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("test-data/sample/clicks"))) {
        return p.resolve("test-data/sample");
      }
    }
    throw new IllegalStateException("no test-data/sample above " + Paths.get("").toAbsolutePath());
  }
}
