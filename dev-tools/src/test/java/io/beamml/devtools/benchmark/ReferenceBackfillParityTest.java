package io.beamml.devtools.benchmark;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.runners.commands.BatchRunnerDefaults;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.beam.runners.direct.DirectRunner;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * benchmark-backfill fails unless its plain reference script computes the backfill's rows, but only
 * the benchmark runs that check: this keeps it in {@code mvn verify}, on the committed sample (bad
 * rows, duplicates, CRLF, headers, profiles), so the script cannot rot silently when the jobs'
 * rules change. The sample has neither a line that is not UTF-8 nor a signup after an event, so a
 * copy of it gets one of each. The Java jobs are the definition; on a difference the script is
 * wrong.
 */
public class ReferenceBackfillParityTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void theReferenceScriptComputesTheBackfillsRowsOnTheSample() throws Exception {
    String python = onPath("python3");
    assumeTrue("no python3 on PATH: the reference script cannot run here", python != null);
    Path work = tmp.getRoot().toPath();
    Path sample = sampleWithEdgeCases(sample(), work.resolve("data"));
    Path keyFile = work.resolve("hmac.key");
    Files.write(keyFile, "parity-key-not-secret".getBytes(StandardCharsets.UTF_8));
    String[] direct =
        BatchRunnerDefaults.withDefaults(
            new String[] {"--runner=" + DirectRunner.class.getSimpleName()});

    Path backfillOut = work.resolve("backfill");
    BenchmarkBackfillCommand.backfill(
        sample, backfillOut, direct, HmacKey.fromFile(keyFile.toString()));
    Path referenceOut = work.resolve("reference.jsonl");
    BenchmarkBackfillCommand.reference(python, work, sample, keyFile, referenceOut);

    List<Path> backfillFiles =
        RowDigest.files(backfillOut.resolve(BackfillPipeline.FEATURES_DIR), ".jsonl");
    RowDigest ours = RowDigest.ofJsonLines(backfillFiles);
    RowDigest theirs = RowDigest.ofJsonLines(List.of(referenceOut));
    JsonNode manifest = new ObjectMapper().readTree(sample().resolve("manifest.json").toFile());
    assertEquals(
        "one row per valid unique click and sale; the line that is not UTF-8 is a dead letter",
        manifest.path("sources").path("clicks").path("valid_unique").asLong()
            + manifest.path("sources").path("sales").path("valid_unique").asLong(),
        ours.rows());
    assertTrue(
        "some event precedes its customer's signup: tenure_days is missing there",
        byEventId(backfillFiles).values().stream()
            .anyMatch(r -> r.path("age").isNumber() && r.path("tenure_days").isNull()));
    String differences =
        ours.equals(theirs) ? "" : firstDifferences(backfillFiles, referenceOut, 5);
    assertEquals("row count, backfill vs script" + differences, ours.rows(), theirs.rows());
    assertEquals("row digest, backfill vs script" + differences, ours, theirs);
  }

  /**
   * A copy of the sample plus a click line that is not UTF-8 (otherwise valid, with an event id of
   * its own) and the first profile's signup moved into the period, after some of its events.
   */
  private static Path sampleWithEdgeCases(Path sample, Path copy) throws IOException {
    try (Stream<Path> all = Files.walk(sample)) {
      for (Path from : all.toList()) {
        Path to = copy.resolve(sample.relativize(from).toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
        } else {
          Files.copy(from, to);
        }
      }
    }
    String click =
        Files.readAllLines(copy.resolve("clicks/clicks-0000.jsonl"), StandardCharsets.UTF_8)
            .get(0)
            .replaceFirst("\"event_id\":\"[^\"]*\"", "\"event_id\":\"E-NOT-UTF-8\"")
            .replaceFirst("\"product_id\":\"", "\"product_id\":\"@");
    byte[] bytes = (click + "\n").getBytes(StandardCharsets.UTF_8);
    bytes[click.indexOf('@')] = (byte) 0xff; // the line is ASCII: char and byte offsets agree
    Files.write(copy.resolve("clicks/clicks-9999.jsonl"), bytes);
    Path profiles = copy.resolve("profiles/profiles.csv");
    List<String> lines = new ArrayList<>(Files.readAllLines(profiles, StandardCharsets.UTF_8));
    lines.set(1, lines.get(1).replaceFirst(",[0-9-]+$", ",2026-01-06"));
    Files.write(profiles, lines, StandardCharsets.UTF_8);
    return copy;
  }

  private static String onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Paths.get(dir.isEmpty() ? "." : dir, command);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  /**
   * The first rows, by event_id, that only one side wrote or that the two sides wrote differently.
   */
  private static String firstDifferences(List<Path> backfill, Path reference, int limit)
      throws IOException {
    Map<String, JsonNode> ours = byEventId(backfill);
    Map<String, JsonNode> theirs = byEventId(List.of(reference));
    TreeSet<String> ids = new TreeSet<>(ours.keySet());
    ids.addAll(theirs.keySet());
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (String id : ids) {
      JsonNode a = ours.get(id);
      JsonNode b = theirs.get(id);
      if (a == null || !a.equals(b) && !sameNumbers(a, b)) {
        out.append("\n  ")
            .append(id)
            .append("\n    backfill: ")
            .append(a)
            .append("\n    script:   ")
            .append(b);
        if (++shown == limit) {
          break;
        }
      }
    }
    return out.toString();
  }

  /** Equal up to how a language prints a number (3 vs 3.0), as {@link RowDigest} compares them. */
  private static boolean sameNumbers(JsonNode a, JsonNode b) {
    if (b == null || a.size() != b.size()) {
      return false;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode x = f.getValue();
      JsonNode y = b.get(f.getKey());
      boolean same =
          x.isNumber() && y != null && y.isNumber()
              ? x.doubleValue() == y.doubleValue()
              : x.equals(y);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, JsonNode> byEventId(List<Path> files) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    Map<String, JsonNode> rows = new TreeMap<>();
    for (Path file : files) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        JsonNode row = mapper.readTree(line);
        rows.put(row.path("event_id").asText(), row);
      }
    }
    return rows;
  }

  /** The committed sample, found above the working directory (a module or the repository). */
  static Path sample() {
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("test-data/sample/clicks"))) {
        return p.resolve("test-data/sample");
      }
    }
    throw new IllegalStateException("no test-data/sample above " + Paths.get("").toAbsolutePath());
  }
}
