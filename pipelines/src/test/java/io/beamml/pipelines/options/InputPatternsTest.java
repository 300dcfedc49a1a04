package io.beamml.pipelines.options;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class InputPatternsTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @BeforeClass
  public static void fileSystems() {
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
  }

  @Test
  public void aPatternThatMatchesNothingNamesItsFlag() throws Exception {
    Files.writeString(tmp.getRoot().toPath().resolve("clicks.jsonl"), "{}\n");
    InputPatterns.create()
        .flag("clicks", tmp.getRoot() + "/*.jsonl")
        .flag("sales", null)
        .requireMatches();
    InputMissingException e =
        assertThrows(
            InputMissingException.class,
            () ->
                InputPatterns.create().flag("clicks", tmp.getRoot() + "/*.json").requireMatches());
    assertThat(
        e.getMessage(), containsString("--clicks=" + tmp.getRoot() + "/*.json matches no file"));
  }

  @Test
  public void aPatternThatReachesIntoAnUnpublishedAttemptIsRefused() throws Exception {
    Path attempt =
        tmp.getRoot().toPath().resolve(".backfill.attempt-20260101T000000Z-1.1@host/features/d=1");
    Files.createDirectories(attempt);
    Files.writeString(attempt.resolve("part-0.avro"), "x");
    InputMissingException e =
        assertThrows(
            InputMissingException.class,
            () ->
                InputPatterns.create()
                    .flag("features", tmp.getRoot() + "/*/features/*/*.avro")
                    .requireMatches());
    assertThat(e.getMessage(), containsString("has not been published"));
  }
}
