package io.beamml.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The committed sample under test-data/sample and helpers to read what a run wrote. */
public final class SampleData {

  public static final Path DIR = locate();
  public static final HmacKey KEY = HmacKey.ofBytes("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));

  private SampleData() {}

  private static Path locate() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("test-data/sample");
      if (Files.isRegularFile(candidate.resolve("manifest.json"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("test-data/sample not found above " + Paths.get("").toAbsolutePath());
  }

  public static String clicks() {
    return DIR.resolve("clicks") + "/*.jsonl";
  }

  public static String sales() {
    return DIR.resolve("sales") + "/*.csv";
  }

  public static String profiles() {
    return DIR.resolve("profiles") + "/*.csv";
  }

  public static String responses() {
    return DIR.resolve("responses") + "/*.csv";
  }

  public static JsonNode manifest() {
    try {
      return new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every line of every regular file below dir whose name ends with suffix, sorted. */
  public static List<String> linesUnder(Path dir, String suffix) {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)
          .filter(f -> f.getFileName().toString().endsWith(suffix))::iterator) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    lines.sort(null);
    return lines;
  }
}
