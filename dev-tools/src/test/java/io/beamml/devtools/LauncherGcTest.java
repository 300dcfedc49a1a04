package io.beamml.devtools;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The {@code ./pipeline} launcher gives batch jobs the parallel collector and leaves streams and
 * the server on G1, and a collector the user names wins (the JVM refuses two). The launcher runs
 * here as committed, beside a stand-in jar, with a stand-in {@code java} that prints its arguments.
 */
public class LauncherGcTest {

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();

  private static Path launcher;

  @BeforeClass
  public static void copyLauncher() throws Exception {
    Path root = WORK.getRoot().toPath();
    launcher = root.resolve("pipeline");
    Files.copy(Paths.get("..", "pipeline"), launcher);
    Files.createDirectories(root.resolve("dev-tools/target"));
    Files.createFile(root.resolve("dev-tools/target/pipeline-dev.jar"));
    Path java = Files.createDirectories(root.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/usr/bin/env bash\necho \"java $*\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static String javaCommand(String javaOpts, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString());
    pb.command().addAll(List.of(args));
    pb.environment()
        .put(
            "PATH",
            WORK.getRoot().toPath().resolve("bin") + File.pathSeparator + System.getenv("PATH"));
    pb.environment().remove("PIPELINE_JAVA_OPTS");
    if (javaOpts != null) {
      pb.environment().put("PIPELINE_JAVA_OPTS", javaOpts);
    }
    pb.redirectErrorStream(true);
    Process process = pb.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(out, 0, process.waitFor());
    return out;
  }

  @Test
  public void batchJobsGetTheParallelCollector() throws Exception {
    for (String job : new String[] {"backfill", "training-set", "score", "retrain"}) {
      String command = javaCommand(null, job, "--clicks=x");
      assertThat(command, containsString("java -XX:+UseParallelGC -Xmx4g "));
      assertThat(command, containsString(" " + job + " --clicks=x"));
    }
    assertThat(javaCommand("-Xmx2g", "backfill"), containsString("-XX:+UseParallelGC -Xmx2g "));
  }

  @Test
  public void streamsAndTheServerKeepTheDefaultCollector() throws Exception {
    for (String job : new String[] {"stream", "serve", "benchmark-stream"}) {
      assertThat(javaCommand(null, job), not(containsString("GC")));
    }
  }

  @Test
  public void aCollectorTheUserNamesWins() throws Exception {
    String command = javaCommand("-Xmx2g -XX:+UseG1GC", "backfill");
    assertThat(command, containsString("-XX:+UseG1GC"));
    assertThat(command, not(containsString("UseParallelGC")));
  }
}
