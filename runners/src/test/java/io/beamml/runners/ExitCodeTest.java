package io.beamml.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import io.beamml.inference.registry.ModelIntegrityException;
import io.beamml.pipelines.io.OutputRefusedException;
import io.beamml.pipelines.options.InputMissingException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.junit.Test;

/** Which failure exits with which code, wherever in the cause chain a runner put it. */
public class ExitCodeTest {

  @Test
  public void eachKindOfFailureHasItsOwnCode() {
    assertEquals(
        ExitCode.INTEGRITY_REFUSED,
        ExitCode.of(new PipelineExecutionException(new ModelIntegrityException("tampered"))));
    // A refusal is a result, not a failure: promote and retrain return this code themselves.
    assertEquals(3, ExitCode.PROMOTION_REFUSED.code());
    assertEquals(
        ExitCode.INPUT_MISSING,
        ExitCode.of(new InputMissingException("--clicks=x matches no file")));
    assertEquals(
        ExitCode.OUTPUT_REFUSED,
        ExitCode.of(new RuntimeException(new OutputRefusedException("is a file"))));
    assertEquals(ExitCode.USAGE, ExitCode.of(new IllegalArgumentException("missing --output")));
    assertEquals(ExitCode.RUNTIME_FAILURE, ExitCode.of(new IllegalStateException("disk full")));
    assertEquals(
        "codes are distinct",
        ExitCode.values().length,
        Arrays.stream(ExitCode.values()).mapToInt(ExitCode::code).distinct().count());
  }

  @Test
  public void anUnexpectedFailurePrintsItsStackTraceAnExpectedOneOnlyWithVerbose() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertEquals(
        6,
        PipelineCli.fail(
            "score",
            new PipelineExecutionException(new ModelIntegrityException("tampered")),
            false,
            stream));
    assertEquals("pipeline score: tampered\n", err.toString(StandardCharsets.UTF_8));
    err.reset();
    assertEquals(
        1, PipelineCli.fail("score", new IllegalStateException("disk full"), false, stream));
    assertThat(err.toString(StandardCharsets.UTF_8), containsString("\tat "));
  }

  @Test
  public void theLauncherHelpListsTheCodes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PipelineCli.standard()
        .run(
            new String[] {"--help"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    for (ExitCode c : ExitCode.values()) {
      assertThat(
          out.toString(StandardCharsets.UTF_8),
          containsString("  " + c.code() + "  " + c.meaning()));
    }
  }
}
