package io.beamml.runners.stream;

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

/**
 * Makes Beam's {@code --savepointPath} (and {@code --allowNonRestoredState}) work on embedded
 * Flink, and gives its cluster a known REST port ({@code --embeddedRestPort}). Beam 2.70 hands the
 * savepoint to Flink only when it submits to a remote cluster; for {@code [local]} it builds a
 * local environment from {@code --flinkConfDir} alone and the flag is silently ignored, so the job
 * would start empty. This writes a configuration directory that holds the user's own {@code
 * --flinkConfDir} files plus {@code execution.savepoint.path} (and {@code rest.bind-port}), and
 * points {@code --flinkConfDir} at it: Flink's local environment restores from it as a cluster does
 * from {@code flink run -s}.
 */
public final class EmbeddedFlinkConf {

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
   * On embedded Flink with a savepoint or a REST port asked for, rewrites {@code --flinkConfDir} as
   * described above; otherwise leaves the options alone (a cluster takes {@code --savepointPath}
   * from Beam itself).
   */
  public static void apply(PipelineOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    @Nullable String savepoint = flink.getSavepointPath();
    @Nullable Integer restPort = options.as(StreamLaunchOptions.class).getEmbeddedRestPort();
    if (!isEmbedded(options) || (blank(savepoint) && restPort == null)) {
      return;
    }
    try {
      Path dir = Files.createTempDirectory("beamml-flink-conf");
      dir.toFile().deleteOnExit();
      String confFile = "flink-conf.yaml";
      List<String> lines = new ArrayList<>();
      if (!blank(flink.getFlinkConfDir())) {
        Path own = Paths.get(flink.getFlinkConfDir());
        try (Stream<Path> files = Files.list(own)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            if (Files.isRegularFile(f)) {
              Files.copy(f, dir.resolve(f.getFileName()));
              dir.resolve(f.getFileName()).toFile().deleteOnExit();
            }
          }
        }
        if (Files.exists(own.resolve("config.yaml"))) {
          confFile = "config.yaml";
        }
        if (Files.exists(own.resolve(confFile))) {
          lines.addAll(Files.readAllLines(own.resolve(confFile), StandardCharsets.UTF_8));
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
      Path conf = dir.resolve(confFile);
      Files.write(conf, lines, StandardCharsets.UTF_8);
      conf.toFile().deleteOnExit();
      flink.setFlinkConfDir(dir.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write the embedded Flink configuration: " + e.getMessage(), e);
    }
  }

  private static boolean blank(@Nullable String s) {
    return s == null || s.isBlank();
  }
}
