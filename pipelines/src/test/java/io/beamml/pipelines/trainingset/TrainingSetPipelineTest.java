package io.beamml.pipelines.trainingset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.schemas.TrainingExample;
import io.beamml.training.data.Split;
import io.beamml.training.data.SplitRows;
import io.beamml.training.data.TrainingSet;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.transforms.features.FeatureSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Runs the training-set build once over the committed sample; checks accounting, privacy and the
 * handoff to train.
 */
public class TrainingSetPipelineTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final List<String> SOURCES = List.of("clicks", "sales", "profiles", "responses");

  private static Path output;
  private static JsonNode summary;
  private static List<TrainingExample> examples;

  @BeforeClass
  public static void runTrainingSet() throws IOException {
    output = TMP.newFolder("training-set").toPath();
    TrainingSetPipeline.run(
        options(output, TrainingSetPipeline.Options.ExampleFormat.csv), SampleData.KEY);
    summary = new ObjectMapper().readTree(RunSummary.read(output.toString()));
    examples = readAvro(output.resolve(TrainingSetPipeline.EXAMPLES_DIR));
  }

  static TrainingSetPipeline.Options options(
      Path out, TrainingSetPipeline.Options.ExampleFormat format) {
    TrainingSetPipeline.Options options =
        PipelineOptionsFactory.fromArgs().as(TrainingSetPipeline.Options.class);
    options.setClicks(SampleData.clicks());
    options.setSales(SampleData.sales());
    options.setProfiles(SampleData.profiles());
    options.setResponses(SampleData.responses());
    options.setOutput(out.toString());
    options.setExampleFormat(format);
    return options;
  }

  @Test
  public void everySourceBalancesAndMatchesTheGeneratorsCounts() {
    JsonNode manifest = SampleData.manifest().path("sources");
    for (String source : SOURCES) {
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
    assertEquals(SOURCES.stream().sorted().toList(), fieldNames(summary.path("sources")));
    assertTrue(summary.path("balanced").asBoolean());
    assertEquals(TrainingSetPipeline.PIPELINE_NAME, summary.path("pipeline").asText());
  }

  @Test
  public void oneExamplePerValidResponseWithTheSpecFingerprint() {
    long validResponses =
        SampleData.manifest().path("sources").path("responses").path("valid_unique").asLong();
    assertEquals(validResponses, examples.size());
    assertEquals(
        validResponses, examples.stream().map(TrainingExample::getPromoId).distinct().count());
    String fingerprint = FeatureSpec.defaultSpec().fingerprint();
    assertEquals(fingerprint, summary.path("spec_fingerprint").asText());
    long responded = 0;
    for (TrainingExample e : examples) {
      assertEquals(fingerprint, e.getSpecFingerprint());
      assertEquals(FeatureSpec.defaultSpec().featureNames().size(), e.getFeatures().size());
      responded += e.getLabel();
    }
    assertEquals(SampleData.manifest().path("promos").path("responded").asLong(), responded);
    // Per-split counts in the summary add up to the examples.
    JsonNode responses = summary.path("sources").path("responses");
    long bySplit = 0;
    for (Split s : Split.values()) {
      long n = responses.path(s.name() + "_examples").asLong(-1);
      assertEquals(n, examples.stream().filter(e -> e.getSplit().equals(s.name())).count());
      bySplit += n;
    }
    assertEquals(validResponses, bySplit);
  }

  @Test
  public void splitsAreByTimeWithTestLatest() {
    Map<Split, List<Long>> times = new TreeMap<>();
    for (TrainingExample e : examples) {
      times
          .computeIfAbsent(Split.valueOf(e.getSplit()), s -> new ArrayList<>())
          .add(e.getSentTime());
    }
    assertEquals(3, times.size());
    long trainMax = times.get(Split.train).stream().mapToLong(Long::longValue).max().orElseThrow();
    long validationMin =
        times.get(Split.validation).stream().mapToLong(Long::longValue).min().orElseThrow();
    long validationMax =
        times.get(Split.validation).stream().mapToLong(Long::longValue).max().orElseThrow();
    long testMin = times.get(Split.test).stream().mapToLong(Long::longValue).min().orElseThrow();
    assertTrue(trainMax < validationMin);
    assertTrue(validationMax < testMin);
    int n = examples.size();
    assertTrue(
        "train is the bulk: " + times.get(Split.train).size() + " of " + n,
        times.get(Split.train).size() >= n / 2);
  }

  @Test
  public void customersWithoutEventsStillGetAnExampleWithZeroCounts() {
    // The generator sends some promotions to customers who have no event at all.
    long toCustomersWithoutEvents =
        SampleData.manifest().path("promos").path("to_customers_without_events").asLong();
    assertTrue(toCustomersWithoutEvents > 0);
    long allZero =
        examples.stream()
            .filter(
                e ->
                    e.getFeatures().stream()
                        .filter(f -> f.getName().endsWith("_7d") || f.getName().endsWith("_1d"))
                        .allMatch(f -> f.getNumber() != null && f.getNumber() == 0.0))
            .count();
    assertTrue(allZero + " examples with every window empty", allZero >= toCustomersWithoutEvents);
  }

  @Test
  public void trainReadsTheSetBackUnderTheSameSpec() {
    TrainingSet set = TrainingSetReader.of(output.toString()).read();
    assertEquals(summary.path("spec_fingerprint").asText(), set.spec().fingerprint());
    assertEquals(FeatureSpec.defaultSpec(), set.spec());
    long rows = 0;
    for (Split s : Split.values()) {
      SplitRows split = set.split(s);
      rows += split.rows();
      assertEquals(
          summary.path("sources").path("responses").path(s.name() + "_examples").asLong(),
          split.rows());
    }
    assertEquals(examples.size(), rows);
    assertTrue(set.train().sentTime(set.train().rows() - 1) < set.validation().sentTime(0));
    assertTrue(set.validation().sentTime(set.validation().rows() - 1) < set.test().sentTime(0));
  }

  @Test
  public void specJsonIsTheCanonicalSpec() throws IOException {
    String written =
        Files.readString(output.resolve(TrainingSetPipeline.SPEC_FILE), StandardCharsets.UTF_8)
            .trim();
    assertEquals(FeatureSpec.defaultSpec().toCanonicalJson(), written);
  }

  @Test
  public void csvCopyHasTheHeaderAndOneRowPerExample() throws IOException {
    Path dir = output.resolve(TrainingSetPipeline.EXAMPLES_CSV_DIR);
    String header =
        "promo_id,customer_key,sent_time,label,split,"
            + String.join(",", FeatureSpec.defaultSpec().featureNames());
    List<String> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          (Iterable<Path>)
              files.filter(f -> f.getFileName().toString().endsWith(".csv")).sorted()::iterator) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        assertEquals(f + " starts with the header", header, lines.get(0));
        rows.addAll(lines.subList(1, lines.size()));
      }
    }
    assertEquals(examples.size(), rows.size());
    ExampleCsv csv = ExampleCsv.of(FeatureSpec.defaultSpec());
    List<String> expected = new ArrayList<>();
    examples.forEach(e -> expected.add(csv.line(e)));
    expected.sort(null);
    rows.sort(null);
    assertEquals(expected, rows);
    int columns = header.split(",", -1).length;
    for (String row : rows) {
      assertEquals(row, columns, row.split(",", -1).length);
    }
  }

  @Test
  public void deadLettersHoldTheBadResponsesToo() {
    Map<String, Long> byReason = new TreeMap<>();
    ObjectMapper mapper = new ObjectMapper();
    for (String line :
        SampleData.linesUnder(output.resolve(TrainingSetPipeline.DEAD_LETTERS_DIR), ".jsonl")) {
      try {
        JsonNode d = mapper.readTree(line);
        byReason.merge(d.path("source").asText() + "/" + d.path("reason").asText(), 1L, Long::sum);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + line, e);
      }
    }
    Map<String, Long> expected = new TreeMap<>();
    SampleData.manifest()
        .path("sources")
        .fields()
        .forEachRemaining(
            source ->
                asMap(source.getValue().path("bad"))
                    .forEach((reason, n) -> expected.put(source.getKey() + "/" + reason, n)));
    assertEquals(expected, byReason);
  }

  @Test
  public void noRawCustomerIdLeavesTheRunOutsideTheDeadLetters() throws IOException {
    Pattern rawId = Pattern.compile("C\\d{7}");
    Path deadLetters = output.resolve(TrainingSetPipeline.DEAD_LETTERS_DIR);
    List<String> scanned = new ArrayList<>();
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
        scanned.add(output.relativize(f).toString());
      }
    }
    for (String expected : List.of("summary.json", "spec.json", "examples/", "examples-csv/")) {
      assertTrue(
          "scanned " + expected + " in " + scanned,
          scanned.stream().anyMatch(s -> s.startsWith(expected)));
    }
    // The scan can fail: the dead letters do hold raw ids, responses among them.
    assertTrue(
        SampleData.linesUnder(deadLetters, ".jsonl").stream()
            .anyMatch(l -> l.contains("\"source\":\"responses\"") && rawId.matcher(l).find()));
  }

  static List<TrainingExample> readAvro(Path dir) throws IOException {
    List<TrainingExample> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          (Iterable<Path>)
              files.filter(f -> f.getFileName().toString().matches("part-.*\\.avro")).sorted()
                  ::iterator) {
        try (InputStream in = Files.newInputStream(f);
            DataFileStream<TrainingExample> stream =
                new DataFileStream<>(in, new SpecificDatumReader<>(TrainingExample.class))) {
          stream.forEach(all::add);
        }
      }
    }
    return all;
  }

  static Map<String, Long> asMap(JsonNode node) {
    Map<String, Long> map = new TreeMap<>();
    node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asLong()));
    return map;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
