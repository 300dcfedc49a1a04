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
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The committed sample under test-data/sample and helpers to read what a run wrote. */
public final class SampleData {

  public static final Path DIR = locate();
  public static final HmacKey KEY =
      HmacKey.ofBytes("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));

  private SampleData() {}

  private static Path locate() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("test-data/sample");
      if (Files.isRegularFile(candidate.resolve("manifest.json"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "test-data/sample not found above " + Paths.get("").toAbsolutePath());
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

  /** The manifest's bad lines per {@code source/reason}, for the given sources. */
  public static Map<String, Long> manifestDeadLetters(List<String> sources) {
    Map<String, Long> expected = new TreeMap<>();
    for (String source : sources) {
      manifest()
          .path("sources")
          .path(source)
          .path("bad")
          .fields()
          .forEachRemaining(e -> expected.put(source + "/" + e.getKey(), e.getValue().asLong()));
    }
    return expected;
  }

  /** Asserts two sorted line lists are equal, reporting sizes and the first difference only. */
  public static void assertSameLines(String what, List<String> expected, List<String> actual) {
    int n = Math.min(expected.size(), actual.size());
    for (int i = 0; i < n; i++) {
      if (!expected.get(i).equals(actual.get(i))) {
        throw new AssertionError(
            what
                + " differ at line "
                + i
                + ":\n  expected "
                + shorten(expected.get(i))
                + "\n  actual   "
                + shorten(actual.get(i)));
      }
    }
    if (expected.size() != actual.size()) {
      throw new AssertionError(
          what + ": expected " + expected.size() + " lines, got " + actual.size());
    }
  }

  private static String shorten(String line) {
    return line.length() > 400
        ? line.substring(0, 400) + "... (" + line.length() + " chars)"
        : line;
  }

  /** source, step, reason and a hash of the raw input of every dead letter under dir, sorted. */
  public static List<String> deadLetterKeys(Path dir) {
    ObjectMapper mapper = new ObjectMapper();
    List<String> keys = new ArrayList<>();
    for (String line : linesUnder(dir, ".jsonl")) {
      try {
        JsonNode d = mapper.readTree(line);
        keys.add(
            d.path("source").asText()
                + "|"
                + d.path("step").asText()
                + "|"
                + d.path("reason").asText()
                + "|"
                + d.path("raw").asText().hashCode()
                + "|"
                + d.path("event_time").asText());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    keys.sort(null);
    return keys;
  }

  /** Every line of every regular file below dir whose name ends with suffix, sorted. */
  public static List<String> linesUnder(Path dir, String suffix) {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f :
          (Iterable<Path>)
              files
                      .filter(Files::isRegularFile)
                      .filter(f -> f.getFileName().toString().endsWith(suffix))
                  ::iterator) {
        lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    lines.sort(null);
    return lines;
  }
}
