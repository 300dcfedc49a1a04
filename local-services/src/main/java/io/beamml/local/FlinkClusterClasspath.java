package io.beamml.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The jars a Flink session cluster runs on: Flink's runtime, clients, streaming API and RPC loader
 * with their dependencies and slf4j-simple, and nothing of Beam or Kafka, as a Flink distribution's
 * {@code lib/} would hold. The build writes them (maven-dependency-plugin {@code build-classpath})
 * as paths under the local Maven repository, so the bundled jar finds the very jars the build
 * resolved, without a Flink download. Flink's Prometheus reporter is listed apart: a distribution
 * keeps it under {@code plugins/}, loaded by its own class loader, not in {@code lib/}.
 */
public final class FlinkClusterClasspath {

  static final String RESOURCE = "flink-cluster.classpath";
  static final String PROMETHEUS_REPORTER_RESOURCE = "flink-prometheus-reporter.classpath";
  private static final String REPOSITORY_PLACEHOLDER = "MAVEN_REPOSITORY";

  private FlinkClusterClasspath() {}

  /** Every jar, resolved against the local Maven repository; fails naming the first one missing. */
  public static List<Path> jars() {
    return resolve(entries(RESOURCE, "flink-runtime"));
  }

  /**
   * The jar of Flink's Prometheus reporter ({@code flink-metrics-prometheus}, with the Prometheus
   * client shaded in), for the cluster's {@code plugins/metrics-prometheus/} directory.
   */
  public static Path prometheusReporterJar() {
    List<Path> jars = resolve(entries(PROMETHEUS_REPORTER_RESOURCE, "flink-metrics-prometheus"));
    if (jars.size() != 1) {
      throw new IllegalStateException(
          PROMETHEUS_REPORTER_RESOURCE + " lists " + jars.size() + " jars, not one");
    }
    return jars.get(0);
  }

  private static List<Path> resolve(List<String> entries) {
    Path repository = localRepository();
    List<Path> jars = new ArrayList<>();
    for (String entry : entries) {
      Path jar = repository.resolve(entry.substring(REPOSITORY_PLACEHOLDER.length() + 1));
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            "The Flink cluster needs "
                + jar
                + ", which is not in the local Maven repository "
                + repository
                + ". Build the project with Maven on this machine, or pass -Dmaven.repo.local=DIR"
                + " if the build used another repository.");
      }
      jars.add(jar);
    }
    return jars;
  }

  /** {@code -Dmaven.repo.local} if set, else {@code ~/.m2/repository}, as Maven itself decides. */
  static Path localRepository() {
    String configured = System.getProperty("maven.repo.local");
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured);
    }
    return Paths.get(System.getProperty("user.home"), ".m2", "repository");
  }

  private static List<String> entries(String resource, String requiredArtifact) {
    String text;
    try (InputStream in = FlinkClusterClasspath.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "Resource "
                + resource
                + " is missing next to "
                + FlinkClusterClasspath.class.getName()
                + ": the build's generate-resources phase writes it.");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalStateException("Could not read " + resource + ": " + e.getMessage(), e);
    }
    List<String> entries = new ArrayList<>();
    for (String entry : text.split(",")) {
      String trimmed = entry.trim();
      if (!trimmed.startsWith(REPOSITORY_PLACEHOLDER + "/")) {
        throw new IllegalStateException(
            resource + " lists " + trimmed + ", which is not under the local Maven repository");
      }
      entries.add(trimmed);
    }
    if (entries.stream().noneMatch(e -> e.contains("/" + requiredArtifact + "-"))) {
      throw new IllegalStateException(resource + " does not list " + requiredArtifact);
    }
    return entries;
  }
}
