package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.beamml.pipelines.stream.StreamOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Embedded Flink gets the configuration the flags ask for: a savepoint to restore, a REST port, and
 * file checkpoint storage whenever it checkpoints (JobManager memory storage caps a checkpoint at 5
 * MB, and the exactly-once sinks outgrow it under load).
 */
public class EmbeddedFlinkConfTest {

  @Rule public final TemporaryFolder work = new TemporaryFolder();

  private static StreamOptions options(String... flags) {
    PipelineOptionsFactory.register(StreamLaunchOptions.class);
    return PipelineOptionsFactory.fromArgs(flags).as(StreamOptions.class);
  }

  private static List<String> conf(StreamOptions o) throws Exception {
    return Files.readAllLines(
        Paths.get(o.as(FlinkPipelineOptions.class).getFlinkConfDir(), "flink-conf.yaml"),
        StandardCharsets.UTF_8);
  }

  @Test
  public void checkpointingWithoutDirectoryGetsTheAskedCheckpointDir() throws Exception {
    Path dir = work.getRoot().toPath().resolve("cp");
    StreamOptions o =
        options(
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--checkpointingInterval=5000",
            "--checkpointDir=" + dir);
    EmbeddedFlinkConf.apply(o);
    assertThat(conf(o), hasItem("state.checkpoints.dir: " + dir.toUri()));
    assertTrue("the directory is created up front", Files.isDirectory(dir));
  }

  @Test
  public void checkpointDirDefaultsUnderTmpPerConsumerGroup() throws Exception {
    StreamOptions o =
        options(
            "--runner=FlinkRunner", "--checkpointingInterval=5000", "--consumerGroup=scoring/eu 1");
    Path expected =
        Paths.get(System.getProperty("java.io.tmpdir"), "beamml-checkpoints", "scoring_eu_1");
    assertEquals(expected, EmbeddedFlinkConf.defaultCheckpointDir(o, List.of()));
  }

  @Test
  public void ownCheckpointDirAndOtherSettingsAreKept() throws Exception {
    Path own = work.newFolder("own").toPath();
    Files.write(
        own.resolve("flink-conf.yaml"),
        List.of("state.checkpoints.dir: file:///elsewhere", "taskmanager.numberOfTaskSlots: 2"),
        StandardCharsets.UTF_8);
    Files.writeString(own.resolve("log4j.properties"), "rootLogger.level = WARN\n");
    StreamOptions o =
        options(
            "--runner=FlinkRunner",
            "--checkpointingInterval=5000",
            "--flinkConfDir=" + own,
            "--savepointPath=file:///saved/sp-1",
            "--embeddedRestPort=18081");
    EmbeddedFlinkConf.apply(o);
    List<String> lines = conf(o);
    assertThat(lines, hasItem("state.checkpoints.dir: file:///elsewhere"));
    assertThat(lines, hasItem("taskmanager.numberOfTaskSlots: 2"));
    assertThat(lines, hasItem("execution.savepoint.path: file:///saved/sp-1"));
    assertThat(lines, hasItem("rest.bind-port: 18081"));
    assertThat(String.join("\n", lines), not(containsString("beamml-checkpoints")));
    assertTrue(
        Files.exists(
            Paths.get(o.as(FlinkPipelineOptions.class).getFlinkConfDir(), "log4j.properties")));
  }

  @Test
  public void nothingToAddLeavesTheOptionsAlone() {
    StreamOptions noCheckpoints = options("--runner=FlinkRunner");
    EmbeddedFlinkConf.apply(noCheckpoints);
    assertNull(noCheckpoints.as(FlinkPipelineOptions.class).getFlinkConfDir());

    StreamOptions cluster =
        options("--runner=FlinkRunner", "--flinkMaster=host:8081", "--checkpointingInterval=5000");
    EmbeddedFlinkConf.apply(cluster);
    assertNull(
        "a cluster's checkpoint storage is its own configuration's",
        cluster.as(FlinkPipelineOptions.class).getFlinkConfDir());
  }
}
