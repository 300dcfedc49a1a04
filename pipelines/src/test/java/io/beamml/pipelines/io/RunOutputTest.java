package io.beamml.pipelines.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.training.data.PublishedRun;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Publishing a run's attempt directory: on a local disk by renaming, and file by file through
 * Beam's file systems as on gs:// (exercised here on a local disk).
 */
public class RunOutputTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @BeforeClass
  public static void fileSystems() {
    FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
  }

  @Test
  public void theAttemptIsOwnerOnlyAndHiddenBesideTheOutputUntilPublished() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("out");
    RunOutput run = RunOutput.begin(out.toString(), false);
    Path attempt = Paths.get(run.attempt());
    assertEquals(out.getParent(), attempt.getParent());
    assertTrue(attempt.getFileName().toString().startsWith(".out.attempt-"));
    assertEquals(
        "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(attempt)));
    Files.writeString(attempt.resolve("summary.json"), "{}");
    assertFalse(Files.exists(out));
    run.publish();
    assertTrue(Files.exists(out.resolve("summary.json")));
    assertTrue(Files.exists(out.resolve(PublishedRun.SUCCESS_FILE)));
    assertFalse(Files.exists(attempt));
  }

  @Test
  public void publishingByCopyReplacesEveryFileOfThePreviousRun() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("copied");
    publishByCopy(
        out, "features/d=1/part-00000-of-00002.avro", "features/d=1/part-00001-of-00002.avro");
    publishByCopy(out, "features/d=1/part-00000-of-00001.avro");
    assertEquals(
        List.of("_SUCCESS", "features/d=1/part-00000-of-00001.avro", "summary.json"), files(out));
    try (Stream<Path> siblings = Files.walk(out.getParent())) {
      assertThat(
          "nothing of an attempt is left",
          siblings
              .filter(Files::isRegularFile)
              .filter(p -> p.toString().contains(".copied.attempt-"))
              .toList(),
          empty());
    }
  }

  @Test
  public void aFailedRunLeavesNothing() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("failed");
    RunOutput run = RunOutput.begin(out.toString(), false);
    Files.writeString(Paths.get(run.attempt()).resolve("raw.jsonl"), "personal data");
    run.abandon();
    assertFalse(Files.exists(Paths.get(run.attempt())));
    assertFalse(Files.exists(out));
  }

  @Test
  public void anAttemptOfALiveProcessIsNotRemoved() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("busy");
    long other = ProcessHandle.current().parent().orElseThrow().pid();
    Path live =
        out.resolveSibling(
            ".busy.attempt-20260101T000000Z-"
                + other
                + ".1@"
                + InetAddress.getLocalHost().getHostName());
    Files.createDirectories(live);
    OutputRefusedException e =
        assertThrows(OutputRefusedException.class, () -> RunOutput.begin(out.toString(), false));
    assertThat(e.getMessage(), containsString("is being written by another run (process " + other));
    assertTrue(Files.exists(live));
  }

  @Test
  public void aRunStillBeingCopiedIsRefusedByReaders() throws Exception {
    Path out = tmp.newFolder("half").toPath();
    Files.writeString(out.resolve(PublishedRun.SUMMARY_FILE), "{}");
    Files.createDirectories(out.resolve("features/d=1"));
    PublishedRun.IncompleteRunException e =
        assertThrows(
            PublishedRun.IncompleteRunException.class,
            () -> PublishedRun.requireCompleteAbove(out + "/features/*/*.avro", "--features"));
    assertThat(e.getMessage(), containsString("no _SUCCESS"));
    Files.writeString(out.resolve(PublishedRun.SUCCESS_FILE), "{}");
    PublishedRun.requireCompleteAbove(out + "/features/*/*.avro", "--features");
    // Files outside any run's output are read as they are.
    PublishedRun.requireCompleteAbove(tmp.newFolder("by-hand") + "/*.avro", "--features");
  }

  private static void publishByCopy(Path out, String... files) throws IOException {
    RunOutput run = RunOutput.begin(out.toString(), false, false);
    Path attempt = Paths.get(run.attempt());
    Files.writeString(attempt.resolve("summary.json"), "{}");
    for (String f : files) {
      Files.createDirectories(attempt.resolve(f).getParent());
      Files.writeString(attempt.resolve(f), f);
    }
    Files.createDirectories(attempt.resolve("features/.temp-beam-1"));
    Files.writeString(attempt.resolve("features/.temp-beam-1/left-over"), "x");
    run.publish();
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    }
  }
}
