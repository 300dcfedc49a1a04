package io.beamml.testdata;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Reads a generated data set back with an independent reading of the contract and checks that the
 * manifest's numbers are exactly what the files hold.
 */
public class ManifestAccountingTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static Path out;
  private static GenerationManifest manifest;
  private static final Map<String, SourceLines> SOURCES = new HashMap<>();

  @BeforeClass
  public static void generate() throws IOException {
    out = TMP.newFolder("data").toPath();
    manifest = DataGenerator.generate(GeneratorConfig.of(150, 8, 11L), out);
    for (String source : GenerationManifest.SOURCES) {
      SOURCES.put(
          source, SourceLines.read(out, manifest.source(source), SourceLines.headerOf(source)));
    }
  }

  @Test
  public void listsExactlyTheFilesWritten() throws IOException {
    Set<String> listed = new HashSet<>();
    for (SourceCounts c : manifest.sources().values()) {
      listed.addAll(c.files());
    }
    listed.add(DataGenerator.TRUTH_FILE);
    listed.add(DataGenerator.MANIFEST_FILE);
    Set<String> written;
    try (Stream<Path> files = Files.walk(out)) {
      written =
          files
              .filter(Files::isRegularFile)
              .map(p -> out.relativize(p).toString().replace('\\', '/'))
              .collect(Collectors.toSet());
    }
    assertEquals(listed, written);
    assertTrue(manifest.clicks().files().size() >= 2);
    assertEquals(8, manifest.sales().files().size());
    assertEquals("sales/sales-2026-01-01.csv", manifest.sales().files().get(0));
    assertEquals("sales/sales-2026-01-08.csv", manifest.sales().files().get(7));
    assertEquals("clicks/clicks-0000.jsonl", manifest.clicks().files().get(0));
  }

  @Test
  public void lineAndHeaderCountsMatchTheFiles() {
    for (String source : GenerationManifest.SOURCES) {
      SourceCounts counts = manifest.source(source);
      SourceLines lines = SOURCES.get(source);
      assertEquals(source, counts.lines(), lines.lines.size());
      assertEquals(source, counts.headerLines(), lines.headerLines);
      assertEquals(source, counts.lfLines(), lines.lfLines);
      assertEquals(source, counts.crlfLines(), lines.crlfLines);
      assertEquals(
          source, counts.lines(), counts.validUnique() + counts.duplicates() + counts.badTotal());
    }
    assertEquals(0, manifest.clicks().headerLines());
    assertEquals(8, manifest.sales().headerLines());
    assertEquals(1, manifest.profiles().headerLines());
    assertEquals(1, manifest.responses().headerLines());
  }

  @Test
  public void everyFileMixesLineEndings() {
    for (SourceLines lines : SOURCES.values()) {
      assertEquals(lines.source, List.of(), lines.filesWithOneEnding);
      assertTrue(lines.source, lines.lfLines > 0 && lines.crlfLines > 0);
    }
  }

  @Test
  public void everyBadLineHasExactlyOneReasonAndTheCountsMatch() {
    for (String source : GenerationManifest.SOURCES) {
      Map<String, Long> found = new TreeMap<>();
      for (SourceLines.DataLine line : SOURCES.get(source).lines) {
        Set<String> reasons = SourceLines.reasonsOf(source).apply(line.content);
        assertTrue(
            source + " line has " + reasons + ": " + abbreviate(line.content), reasons.size() <= 1);
        if (!reasons.isEmpty()) {
          found.merge(reasons.iterator().next(), 1L, Long::sum);
        }
      }
      assertEquals(source, new TreeMap<>(manifest.source(source).bad()), found);
    }
  }

  @Test
  public void everyApplicableReasonIsPresent() {
    assertEquals(
        Set.of(
            "malformed_json",
            "wrong_type",
            "unknown_enum_value",
            "unparseable_timestamp",
            "missing_required_field",
            "blank_line",
            "price_not_negative",
            "event_time_plausible",
            "line_too_long"),
        manifest.clicks().bad().keySet());
    assertEquals(
        Set.of(
            "wrong_field_count",
            "wrong_type",
            "unparseable_timestamp",
            "missing_required_field",
            "blank_line",
            "amount_not_negative",
            "quantity_positive",
            "event_time_plausible",
            "line_too_long"),
        manifest.sales().bad().keySet());
    assertEquals(
        Set.of(
            "wrong_field_count",
            "wrong_type",
            "unknown_enum_value",
            "unparseable_timestamp",
            "missing_required_field",
            "blank_line",
            "age_in_range"),
        manifest.profiles().bad().keySet());
    assertEquals(
        Set.of(
            "wrong_field_count",
            "wrong_type",
            "unparseable_timestamp",
            "missing_required_field",
            "blank_line"),
        manifest.responses().bad().keySet());
    assertEquals(1L, (long) manifest.clicks().bad().get("line_too_long"));
    assertEquals(1L, (long) manifest.sales().bad().get("line_too_long"));
  }

  @Test
  public void duplicatesAreExactRedeliveriesOfValidRecords() {
    for (String source : GenerationManifest.SOURCES) {
      Map<String, String> contentById = new HashMap<>();
      long valid = 0;
      for (SourceLines.DataLine line : SOURCES.get(source).lines) {
        if (!SourceLines.reasonsOf(source).apply(line.content).isEmpty()) {
          continue;
        }
        valid++;
        String previous =
            contentById.putIfAbsent(SourceLines.idOf(source, line.content), line.content);
        if (previous != null) {
          assertEquals(source + " re-delivery differs", previous, line.content);
        }
      }
      SourceCounts counts = manifest.source(source);
      assertEquals(source, counts.validUnique(), contentById.size());
      assertEquals(source, counts.duplicates(), valid - contentById.size());
      assertTrue(source, counts.duplicates() > 0);
    }
  }

  @Test
  public void badLinesNeverShareAnIdWithValidLines() {
    for (String source : List.of(GenerationManifest.SALES, GenerationManifest.RESPONSES)) {
      Set<String> validIds = new HashSet<>();
      List<String> badIds = new ArrayList<>();
      for (SourceLines.DataLine line : SOURCES.get(source).lines) {
        String id =
            line.content.isEmpty() ? "" : line.content.substring(0, line.content.indexOf(','));
        if (SourceLines.reasonsOf(source).apply(line.content).isEmpty()) {
          validIds.add(id);
        } else if (!id.isEmpty()) {
          badIds.add(id);
        }
      }
      for (String id : badIds) {
        assertFalse(source + " " + id, validIds.contains(id));
      }
    }
  }

  @Test
  public void blankLinesSitBetweenOtherLines() {
    int blanks = 0;
    for (SourceLines lines : SOURCES.values()) {
      for (SourceLines.DataLine line : lines.lines) {
        if (line.content.isEmpty()) {
          blanks++;
          assertTrue(line.file, line.position > 0);
          assertTrue(line.file, line.position < line.linesInFile - 1);
        }
      }
    }
    assertTrue(blanks >= 4);
  }

  @Test
  public void onlyTheOversizedLinesPassOneMebibyte() {
    for (SourceLines lines : SOURCES.values()) {
      long over =
          lines.lines.stream().filter(l -> l.content.length() > BadReason.MAX_LINE_BYTES).count();
      long expected = manifest.source(lines.source).bad(BadReason.LINE_TOO_LONG);
      assertEquals(lines.source, expected, over);
    }
  }

  @Test
  public void customerMixMatchesTheManifest() {
    Set<String> withEvents = validCustomers(GenerationManifest.CLICKS);
    withEvents.addAll(validCustomers(GenerationManifest.SALES));
    Set<String> withProfile = validCustomers(GenerationManifest.PROFILES);
    Set<String> promoted = new HashSet<>();
    long promosToNoEvents = 0;
    Set<String> seenPromo = new HashSet<>();
    for (SourceLines.DataLine line : SOURCES.get(GenerationManifest.RESPONSES).lines) {
      if (ContractReader.responseReasons(line.content).isEmpty()
          && seenPromo.add(SourceLines.idOf(GenerationManifest.RESPONSES, line.content))) {
        String customer = SourceLines.customerOf(GenerationManifest.RESPONSES, line.content);
        promoted.add(customer);
        promosToNoEvents += withEvents.contains(customer) ? 0 : 1;
      }
    }
    Set<String> profileNoEvents = new HashSet<>(withProfile);
    profileNoEvents.removeAll(withEvents);
    Set<String> eventsNoProfile = new HashSet<>(withEvents);
    eventsNoProfile.removeAll(withProfile);

    assertEquals(manifest.customersWithEvents(), withEvents.size());
    assertEquals(manifest.customersWithProfile(), withProfile.size());
    assertEquals(manifest.profileCustomersWithoutEvents(), profileNoEvents.size());
    assertEquals(manifest.promosToCustomersWithoutEvents(), promosToNoEvents);
    assertTrue(profileNoEvents.size() > 0);
    assertTrue(eventsNoProfile.size() > 0);
    assertTrue(promosToNoEvents > 0);
    for (String id : withEvents) {
      assertTrue(id, ContractReader.CUSTOMER_ID.matcher(id).matches());
    }
  }

  @Test
  public void eventCountsByTypeMatchTheFiles() {
    Map<String, Long> byType = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    for (SourceLines.DataLine line : SOURCES.get(GenerationManifest.CLICKS).lines) {
      if (ContractReader.clickReasons(line.content).isEmpty()) {
        JsonNode node = ContractReader.json(line.content);
        if (seen.add(node.get("event_id").textValue())) {
          byType.merge(node.get("event_type").textValue(), 1L, Long::sum);
        }
      }
    }
    byType.put("order", manifest.sales().validUnique());
    assertEquals(new TreeMap<>(manifest.validEventsByType()), byType);
    assertEquals(
        manifest.validEvents(), manifest.clicks().validUnique() + manifest.sales().validUnique());
  }

  @Test
  public void truthFileHasOneRowPerPromotion() throws IOException {
    List<PhysicalLines.Line> truth = PhysicalLines.read(out.resolve(DataGenerator.TRUTH_FILE));
    assertEquals(DataGenerator.TRUTH_HEADER, truth.get(0).content);
    assertEquals(manifest.promosSent(), truth.size() - 1);
    assertEquals(manifest.responses().validUnique(), manifest.promosSent());
    double sum = 0;
    for (PhysicalLines.Line line : truth.subList(1, truth.size())) {
      double p = Double.parseDouble(line.content.split(",")[2]);
      assertTrue(p > 0 && p < 1);
      sum += p;
    }
    assertEquals(manifest.meanResponseProbability(), sum / manifest.promosSent(), 1e-9);
  }

  @Test
  public void manifestFileSaysWhatTheApiReturns() throws IOException {
    JsonNode json = new ObjectMapper().readTree(out.resolve(DataGenerator.MANIFEST_FILE).toFile());
    assertEquals(150, json.get("config").get("customers").asInt());
    assertEquals(8, json.get("config").get("days").asInt());
    assertEquals(11, json.get("config").get("seed").asLong());
    assertEquals("2026-01-01", json.get("config").get("start_date").asText());
    assertEquals("2026-01-09T00:00:00Z", json.get("period").get("end_exclusive").asText());
    for (String source : GenerationManifest.SOURCES) {
      JsonNode s = json.get("sources").get(source);
      SourceCounts c = manifest.source(source);
      assertEquals(source, c.lines(), s.get("lines").asLong());
      assertEquals(source, c.validUnique(), s.get("valid_unique").asLong());
      assertEquals(source, c.duplicates(), s.get("duplicates").asLong());
      assertEquals(source, c.headerLines(), s.get("header_lines").asLong());
      assertEquals(source, c.badTotal(), s.get("bad_total").asLong());
      Map<String, Long> bad = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = s.get("bad").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        bad.put(e.getKey(), e.getValue().asLong());
      }
      assertEquals(source, new TreeMap<>(c.bad()), bad);
      List<String> files = new ArrayList<>();
      s.get("files").forEach(f -> files.add(f.asText()));
      assertEquals(source, c.files(), files);
    }
    assertEquals(manifest.promosSent(), json.get("promos").get("sent").asLong());
    assertEquals(manifest.promosResponded(), json.get("promos").get("responded").asLong());
  }

  private static Set<String> validCustomers(String source) {
    Set<String> customers = new HashSet<>();
    for (SourceLines.DataLine line : SOURCES.get(source).lines) {
      if (SourceLines.reasonsOf(source).apply(line.content).isEmpty()) {
        customers.add(SourceLines.customerOf(source, line.content));
      }
    }
    return customers;
  }

  private static String abbreviate(String line) {
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
