package io.beamml.pipelines.backfill;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.pipelines.summary.RunSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Runs the backfill once over the committed sample and checks accounting and privacy. */
public class BackfillPipelineTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static Path output;
  private static JsonNode summary;

  @BeforeClass
  public static void runBackfill() throws IOException {
    output = TMP.newFolder("backfill").toPath();
    BackfillPipeline.run(options(output, OutputFormat.jsonl), SampleData.KEY);
    summary = new ObjectMapper().readTree(RunSummary.read(output.toString()));
  }

  static BackfillPipeline.Options options(Path out, OutputFormat format, String... runnerArgs) {
    BackfillPipeline.Options options =
        PipelineOptionsFactory.fromArgs(runnerArgs).as(BackfillPipeline.Options.class);
    options.setClicks(SampleData.clicks());
    options.setSales(SampleData.sales());
    options.setProfiles(SampleData.profiles());
    options.setOutput(out.toString());
    options.setOutputFormat(format);
    return options;
  }

  @Test
  public void everySourceBalancesAndMatchesTheGeneratorsCounts() {
    JsonNode manifest = SampleData.manifest().path("sources");
    for (String source : List.of("clicks", "sales", "profiles")) {
      JsonNode expected = manifest.path(source);
      JsonNode actual = summary.path("sources").path(source);
      assertEquals(
          source + " records in",
          expected.path("lines").asLong(),
          actual.path("records_in").asLong());
      assertEquals(
          source + " records out",
          expected.path("valid_unique").asLong(),
          actual.path("records_out").asLong());
      assertEquals(
          source + " duplicates",
          expected.path("duplicates").asLong(),
          actual.path("duplicates").asLong());
      assertEquals(
          source + " dead letters by reason",
          asMap(expected.path("bad")),
          asMap(actual.path("dead_letters")));
      assertTrue(source + " balances", actual.path("balanced").asBoolean());
    }
    assertTrue(summary.path("balanced").asBoolean());
  }

  @Test
  public void deadLetterFilesHoldEveryReasonWithItsRawLine() {
    List<String> lines =
        SampleData.linesUnder(output.resolve(BackfillPipeline.DEAD_LETTERS_DIR), ".jsonl");
    Map<String, Long> byReason = new TreeMap<>();
    ObjectMapper mapper = new ObjectMapper();
    for (String line : lines) {
      JsonNode d = readTree(mapper, line);
      byReason.merge(d.path("source").asText() + "/" + d.path("reason").asText(), 1L, Long::sum);
      assertFalse("dead letter has a message: " + line, d.path("message").asText().isEmpty());
      assertTrue(d.has("raw") && d.has("step"));
    }
    Map<String, Long> expected = new TreeMap<>();
    SampleData.manifest()
        .path("sources")
        .fields()
        .forEachRemaining(
            source -> {
              if (!source.getKey().equals("responses")) {
                asMap(source.getValue().path("bad"))
                    .forEach((reason, n) -> expected.put(source.getKey() + "/" + reason, n));
              }
            });
    assertEquals(expected, byReason);
  }

  @Test
  public void featureRowsHoldEveryFeatureByNameAndTheSpecFingerprint() {
    List<String> rows =
        SampleData.linesUnder(output.resolve(BackfillPipeline.FEATURES_DIR), ".jsonl");
    JsonNode byType = SampleData.manifest().path("valid_events_by_type");
    long expectedRows = 0;
    for (Iterator<JsonNode> it = byType.elements(); it.hasNext(); ) {
      expectedRows += it.next().asLong();
    }
    assertEquals(expectedRows, rows.size());
    JsonNode first = readTree(new ObjectMapper(), rows.get(0));
    for (String field :
        List.of(
            "event_id",
            "customer_key",
            "event_time",
            "spec_fingerprint",
            "views_7d",
            "clicks_7d",
            "carts_7d",
            "orders_7d",
            "spend_7d",
            "orders_1d",
            "clicks_1d",
            "age",
            "gender",
            "country",
            "tenure_days")) {
      assertTrue("feature row has " + field + ": " + rows.get(0), first.has(field));
    }
    assertEquals(
        summary.path("spec_fingerprint").asText(), first.path("spec_fingerprint").asText());
  }

  @Test
  public void featureFilesArePartitionedByEventDate() throws IOException {
    try (Stream<Path> dirs = Files.list(output.resolve(BackfillPipeline.FEATURES_DIR))) {
      // Beam's FileIO leaves its emptied .temp-beam-* directories behind; they are not partitions.
      List<String> names =
          dirs.map(d -> d.getFileName().toString())
              .filter(n -> !n.startsWith("."))
              .sorted()
              .toList();
      assertFalse(names.isEmpty());
      for (String name : names) {
        assertTrue(name, name.matches("event_date=\\d{4}-\\d{2}-\\d{2}"));
      }
    }
  }

  @Test
  public void noRawCustomerIdLeavesTheRunOutsideTheDeadLetters() throws IOException {
    Pattern rawId = Pattern.compile("C\\d{7}");
    Path deadLetters = output.resolve(BackfillPipeline.DEAD_LETTERS_DIR);
    int scanned = 0;
    try (Stream<Path> files = Files.walk(output)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        if (f.startsWith(deadLetters)) {
          continue;
        }
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        Matcher m = rawId.matcher(text);
        assertFalse(
            "raw customer id " + (m.find() ? m.group() : "") + " in " + f,
            rawId.matcher(text).find());
        scanned++;
      }
    }
    assertTrue("scanned the feature files and the summary", scanned > 2);
    // The scan can fail: the dead letters do hold raw ids.
    assertTrue(
        SampleData.linesUnder(deadLetters, ".jsonl").stream()
            .anyMatch(l -> rawId.matcher(l).find()));
  }

  static Map<String, Long> asMap(JsonNode node) {
    Map<String, Long> map = new TreeMap<>();
    node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asLong()));
    return map;
  }

  private static JsonNode readTree(ObjectMapper mapper, String line) {
    try {
      return mapper.readTree(line);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }
}
