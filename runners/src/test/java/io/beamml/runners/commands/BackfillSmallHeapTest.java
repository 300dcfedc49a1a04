package io.beamml.runners.commands;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GenerationManifest;
import io.beamml.testdata.GeneratorConfig;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The backfill on embedded Flink, in a child JVM whose heap ({@value #HEAP}) is smaller than the
 * input's records would take in memory, over generated data plus one customer with a {@value
 * #WHALE_EVENTS}-event history: it finishes, balances, and the long history's rows are right. A
 * step holding the whole input, or a shard of it larger than the heap, fails with OutOfMemoryError
 * here; one customer's events in memory (the design) fit.
 */
public class BackfillSmallHeapTest {

  private static final String HEAP = "-Xmx256m";
  private static final int WHALE_EVENTS = 200_000;
  private static final long SPACING_MILLIS = 10_000;
  private static final String KEY_TEXT = "small-heap-test-key-0123456789";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  @Test
  public void aBackfillLargerThanTheHeapWithOneVeryLongHistoryFinishesWithExactCounts()
      throws Exception {
    Path data = TMP.newFolder("data").toPath();
    GenerationManifest manifest = DataGenerator.generate(GeneratorConfig.of(2000, 30, 11), data);
    Instant first = Instant.parse("2026-01-01T00:00:00Z");
    try (BufferedWriter w =
        Files.newBufferedWriter(
            data.resolve("clicks/clicks-whale.jsonl"), StandardCharsets.UTF_8)) {
      for (int i = 0; i < WHALE_EVENTS; i++) {
        w.write(
            "{\"event_id\":\"whale-"
                + i
                + "\",\"customer_id\":\"whale\",\"event_type\":\"view\","
                + "\"product_id\":\"p\",\"price\":1.5,\"event_time\":\""
                + first.plusMillis(i * SPACING_MILLIS)
                + "\",\"session_id\":\"s\",\"channel\":\"web\"}\n");
      }
    }
    Path keyFile = TMP.getRoot().toPath().resolve("hmac.key");
    Files.writeString(keyFile, KEY_TEXT);
    Path out = TMP.getRoot().toPath().resolve("out");

    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                HEAP,
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.org.apache.flink.metrics.MetricGroup=error",
                "io.beamml.runners.PipelineCli",
                "backfill",
                "--clicks=" + data.resolve("clicks") + "/*.jsonl",
                "--sales=" + data.resolve("sales") + "/*.csv",
                "--profiles=" + data.resolve("profiles") + "/*.csv",
                "--hmacKeyFile=" + keyFile,
                "--output=" + out,
                "--outputFormat=jsonl"));
    Path log = TMP.getRoot().toPath().resolve("child.log");
    Process child =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = child.waitFor(10, TimeUnit.MINUTES);
    if (!ended) {
      child.destroyForcibly();
    }
    String output = Files.readString(log);
    assertTrue("the child ended in time:\n" + tail(output), ended);
    assertEquals("the child's exit code:\n" + tail(output), 0, child.exitValue());

    JsonNode clicks =
        MAPPER.readTree(RunSummary.read(out.toString())).path("sources").path("clicks");
    long clickLines = manifest.clicks().lines() + WHALE_EVENTS;
    assertEquals(clickLines, clicks.path("records_in").asLong());
    assertEquals(
        manifest.clicks().validUnique() + WHALE_EVENTS, clicks.path("records_out").asLong());
    assertTrue(clicks.path("balanced").asBoolean());

    String whale =
        new Pseudonymiser(HmacKey.ofBytes(KEY_TEXT.getBytes(StandardCharsets.UTF_8)))
            .pseudonym("whale");
    long whaleRows = 0;
    JsonNode last = null;
    List<Path> featureFiles;
    try (Stream<Path> all = Files.walk(out.resolve("features"))) {
      featureFiles = all.filter(p -> p.toString().endsWith(".jsonl")).toList();
    }
    for (Path file : featureFiles) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.contains(whale)) {
            JsonNode row = MAPPER.readTree(line);
            whaleRows++;
            if (row.path("event_id").asText().equals("whale-" + (WHALE_EVENTS - 1))) {
              last = row;
            }
          }
        }
      }
    }
    assertEquals(WHALE_EVENTS, whaleRows);
    // Every earlier event within seven days (exclusive start) counts in the last row.
    assertEquals(
        (double) (7 * 86_400_000L / SPACING_MILLIS), last.path("views_7d").asDouble(), 0.0);
    assertEquals(0.0, last.path("clicks_1d").asDouble(), 0.0);
  }

  private static String tail(String output) {
    return output.length() <= 4000 ? output : output.substring(output.length() - 4000);
  }
}
