package io.beamml.runners.stream;

import io.beamml.pipelines.stream.StreamOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes Beam's {@code --savepointPath} (and {@code --allowNonRestoredState}) work on embedded
 * Flink, and gives its cluster a known REST port ({@code --embeddedRestPort}). Beam 2.70 hands the
 * savepoint to Flink only when it submits to a remote cluster; for {@code [local]} it builds a
 * local environment from {@code --flinkConfDir} alone and the flag is silently ignored, so the job
 * would start empty. This writes a configuration directory that holds the user's own {@code
 * --flinkConfDir} files plus {@code execution.savepoint.path} (and {@code rest.bind-port}), and
 * points {@code --flinkConfDir} at it: Flink's local environment restores from it as a cluster does
 * from {@code flink run -s}. With checkpointing on and no {@code state.checkpoints.dir}, it also
 * adds one ({@code --checkpointDir}), so checkpoints are not capped by JobManager memory.
 */
public final class EmbeddedFlinkConf {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFlinkConf.class);

  private EmbeddedFlinkConf() {}

  /** Whether the options run the job on Flink inside this JVM. */
  public static boolean isEmbedded(PipelineOptions options) {
    if (!FlinkRunner.class.equals(options.getRunner())) {
      return false;
    }
    String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
    return master == null || master.equals("[local]") || master.equals("[auto]");
  }

  /**
   * On embedded Flink with a savepoint, a REST port or checkpointing without a checkpoint
   * directory, rewrites {@code --flinkConfDir} as described above; otherwise leaves the options
   * alone (a cluster takes {@code --savepointPath} from Beam and its checkpoint storage from its
   * own configuration).
   */
  public static void apply(PipelineOptions options) {
    if (!isEmbedded(options)) {
      return;
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    @Nullable String savepoint = flink.getSavepointPath();
    @Nullable Integer restPort = options.as(StreamLaunchOptions.class).getEmbeddedRestPort();
    try {
      String confFile = "flink-conf.yaml";
      List<String> lines = new ArrayList<>();
      @Nullable Path own =
          blank(flink.getFlinkConfDir()) ? null : Paths.get(flink.getFlinkConfDir());
      if (own != null) {
        if (Files.exists(own.resolve("config.yaml"))) {
          confFile = "config.yaml";
        }
        if (Files.exists(own.resolve(confFile))) {
          lines.addAll(Files.readAllLines(own.resolve(confFile), StandardCharsets.UTF_8));
        }
      }
      @Nullable Path checkpoints = defaultCheckpointDir(options, lines);
      if (blank(savepoint) && restPort == null && checkpoints == null) {
        return;
      }
      Path dir = Files.createTempDirectory("beamml-flink-conf");
      dir.toFile().deleteOnExit();
      if (own != null) {
        try (Stream<Path> files = Files.list(own)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            if (Files.isRegularFile(f)) {
              Files.copy(f, dir.resolve(f.getFileName()));
              dir.resolve(f.getFileName()).toFile().deleteOnExit();
            }
          }
        }
      }
      if (!blank(savepoint)) {
        lines.add("execution.savepoint.path: " + savepoint);
        lines.add(
            "execution.savepoint.ignore-unclaimed-state: "
                + Boolean.TRUE.equals(flink.getAllowNonRestoredState()));
      }
      if (restPort != null) {
        lines.add("rest.address: 127.0.0.1");
        lines.add("rest.bind-address: 127.0.0.1");
        lines.add("rest.bind-port: " + restPort);
        lines.add("rest.port: " + restPort);
      }
      if (checkpoints != null) {
        Files.createDirectories(checkpoints);
        lines.add("state.checkpoints.dir: " + checkpoints.toUri());
        LOG.info("embedded Flink: checkpoints go to {} (--checkpointDir)", checkpoints);
      }
      Path conf = dir.resolve(confFile);
      Files.write(conf, lines, StandardCharsets.UTF_8);
      conf.toFile().deleteOnExit();
      flink.setFlinkConfDir(dir.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write the embedded Flink configuration: " + e.getMessage(), e);
    }
  }

  /**
   * Where checkpoints go when checkpointing is on and the configuration names no directory: without
   * one Flink keeps them in JobManager memory, whose 5 MB cap the exactly-once sinks' pending
   * transactions outgrow under load, and then every checkpoint fails and nothing is committed.
   */
  static @Nullable Path defaultCheckpointDir(PipelineOptions options, List<String> confLines) {
    Long interval = options.as(FlinkPipelineOptions.class).getCheckpointingInterval();
    if (interval == null
        || interval <= 0
        || confLines.stream().anyMatch(l -> l.trim().startsWith("state.checkpoints.dir:"))) {
      return null;
    }
    @Nullable String asked = options.as(StreamLaunchOptions.class).getCheckpointDir();
    if (!blank(asked)) {
      return Paths.get(asked).toAbsolutePath();
    }
    String group = options.as(StreamOptions.class).getConsumerGroup();
    return Paths.get(
        System.getProperty("java.io.tmpdir"),
        "beamml-checkpoints",
        blank(group) ? "default" : group.replaceAll("[^A-Za-z0-9._-]", "_"));
  }

  private static boolean blank(@Nullable String s) {
    return s == null || s.isBlank();
  }
}
