package io.beamml.runners.local;

import io.beamml.local.FlinkClusterClasspath;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;

/**
 * What a test submits to the session cluster: this JVM's classpath, as Beam would stage it, less
 * the jars the cluster already runs on (its reporter plugin included). Flink loads its own packages
 * parent-first anyway, and each staged file crosses the REST upload, which dominates a small job's
 * time.
 */
public final class ClusterStaging {

  private ClusterStaging() {}

  public static List<String> filesToStage(PipelineOptions options) {
    Set<String> clusterJars =
        Stream.concat(
                FlinkClusterClasspath.jars().stream(),
                Stream.of(FlinkClusterClasspath.prometheusReporterJar()))
            .map(jar -> jar.getFileName().toString())
            .collect(Collectors.toSet());
    return PipelineResources.detectClassPathResourcesToStage(
            ClusterStaging.class.getClassLoader(), options)
        .stream()
        .filter(file -> !clusterJars.contains(fileName(file)))
        .collect(Collectors.toList());
  }

  private static String fileName(String file) {
    Path name = Paths.get(file).getFileName();
    return name == null ? file : name.toString();
  }
}
