package io.beamml.pipelines.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.coders.SpecificRecordCoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The sink writes each record once under its event date and, when asked, counts what it wrote per
 * summary key: in JSON Lines through the rendered lines, in Avro from the records.
 */
public class PartitionedFileSinkTest {

  private static final long JAN_1 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final long DAY = 86_400_000L;

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static Prediction prediction(String id, long time, String variant) {
    return Prediction.newBuilder()
        .setEventId(id)
        .setCustomerKey("k-" + id)
        .setEventTime(time)
        .setScore(0.5)
        .setModelName("promo")
        .setModelVersion("1")
        .setVariant(variant)
        .setSpecFingerprint("0123456789abcdef")
        .build();
  }

  private static List<Prediction> predictions() {
    return List.of(
        prediction("e1", JAN_1 + 1_000, "champion"),
        prediction("e2", JAN_1 + 2_000, "challenger"),
        prediction("e3", JAN_1 + DAY + 3_000, "champion"));
  }

  private PCollection<KV<String, Long>> writeCounted(Path dir, OutputFormat format) {
    return p.apply(Create.of(predictions()).withCoder(SpecificRecordCoder.of(Prediction.class)))
        .apply(
            PartitionedFileSink.of(
                    Prediction.class,
                    dir.toString(),
                    format,
                    Prediction::getEventTime,
                    JsonRecords.renderer())
                .withWrittenCounts(Prediction::getVariant, "predictions"))
        .counts();
  }

  /** Event ids per event-date directory, as written. */
  private static Map<String, List<String>> idsByDate(Path dir, OutputFormat format)
      throws IOException {
    Map<String, List<String>> ids = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") || f.toString().contains("/.temp")) {
          continue;
        }
        String date = f.getParent().getFileName().toString();
        List<String> found = ids.computeIfAbsent(date, d -> new ArrayList<>());
        if (format == OutputFormat.jsonl) {
          for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            found.add(line.replaceAll(".*\"event_id\":\"([^\"]+)\".*", "$1"));
          }
        } else {
          try (DataFileReader<Prediction> reader =
              new DataFileReader<>(f.toFile(), new SpecificDatumReader<>(Prediction.class))) {
            reader.forEach(r -> found.add(r.getEventId()));
          }
        }
        found.sort(null);
      }
    }
    return ids;
  }

  private void checkWrittenAndCounted(OutputFormat format) throws IOException {
    Path dir = tmp.getRoot().toPath().resolve(format.name());
    PAssert.that(writeCounted(dir, format).apply(SummaryCounts.totals()))
        .containsInAnyOrder(KV.of("champion", 2L), KV.of("challenger", 1L));
    p.run().waitUntilFinish();
    assertEquals(
        Map.of(
            "event_date=2026-01-01", List.of("e1", "e2"), "event_date=2026-01-02", List.of("e3")),
        idsByDate(dir, format));
  }

  @Test
  public void jsonLinesAreWrittenOnceAndCountedPerKey() throws IOException {
    checkWrittenAndCounted(OutputFormat.jsonl);
  }

  @Test
  public void avroRecordsAreWrittenOnceAndCountedPerKey() throws IOException {
    checkWrittenAndCounted(OutputFormat.avro);
  }

  @Test
  public void countsAreRefusedWhenNotAskedFor() {
    PartitionedFileSink.Written written =
        p.apply(Create.of(predictions()).withCoder(SpecificRecordCoder.of(Prediction.class)))
            .apply(
                PartitionedFileSink.of(
                    Prediction.class,
                    tmp.getRoot().toPath().resolve("plain").toString(),
                    OutputFormat.jsonl,
                    Prediction::getEventTime,
                    JsonRecords.renderer()));
    assertThrows(IllegalStateException.class, written::counts);
    p.enableAbandonedNodeEnforcement(false);
  }
}
