package io.beamml.pipelines.stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.audit.ToAuditRecords;
import io.beamml.pipelines.bigquery.AvroToBigQuery;
import io.beamml.pipelines.bigquery.BigQueryDestinations;
import io.beamml.pipelines.bigquery.BigQuerySinkOptions;
import io.beamml.pipelines.bigquery.FakeBigQuery;
import io.beamml.pipelines.io.PartitionedFileSink;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The stream's output stage on unbounded (TestStream) input, as {@code --sink} chooses it: BigQuery
 * on Beam's fake services (tables with the derived schemas, a rejected prediction back as a dead
 * letter, a rejected dead letter as a file) and windowed files holding every prediction exactly
 * once.
 */
public class StreamSinksTest implements Serializable {

  @ClassRule public static final transient TemporaryFolder TMP = new TemporaryFolder();

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final String PROJECT = "beamml-test";

  /** Beam remembers per JVM which tables it created: a fresh dataset per test keeps them apart. */
  private static final AtomicInteger DATASETS = new AtomicInteger();

  private static final long DAY_1 = 1_700_000_000_000L;
  private static final long DAY_2 = DAY_1 + 86_400_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  static Prediction prediction(String eventId, long eventTime) {
    return Prediction.newBuilder()
        .setEventId(eventId)
        .setCustomerKey("cust-" + eventId)
        .setEventTime(eventTime)
        .setScore(0.5)
        .setModelName("promo")
        .setModelVersion("3")
        .setVariant("champion")
        .setSpecFingerprint("fp-1")
        .setContributions(null)
        .build();
  }

  static DriftRecord driftRecord(String feature, String statistic, long windowStart) {
    return DriftRecord.newBuilder()
        .setFeature(feature)
        .setStatistic(statistic)
        .setValue(2.5)
        .setThreshold(0.2)
        .setPValue(null)
        .setWindowStart(windowStart)
        .setWindowEnd(windowStart + 3_600_000L)
        .setModelName("promo")
        .setModelVersion("3")
        .setRows(600L)
        .setDrifted(true)
        .build();
  }

  /**
   * Predictions on two event dates, arriving in three bundles with the watermark moving between
   * them.
   */
  private PCollection<Prediction> predictions(List<Prediction> all) {
    TestStream.Builder<Prediction> stream = TestStream.create(AvroCoder.specific(Prediction.class));
    int third = (all.size() + 2) / 3;
    for (int i = 0; i < all.size(); i += third) {
      List<Prediction> bundle = all.subList(i, Math.min(all.size(), i + third));
      List<TimestampedValue<Prediction>> stamped = new ArrayList<>();
      long latest = 0;
      for (Prediction pr : bundle) {
        stamped.add(TimestampedValue.of(pr, new Instant(pr.getEventTime())));
        latest = Math.max(latest, pr.getEventTime());
      }
      stream =
          stream
              .addElements(
                  stamped.get(0),
                  stamped.subList(1, stamped.size()).toArray(new TimestampedValue[0]))
              .advanceWatermarkTo(new Instant(latest));
    }
    return p.apply("ReadPredictions", stream.advanceWatermarkToInfinity());
  }

  private static List<Prediction> somePredictions(int n) {
    List<Prediction> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(prediction(String.format("e%03d", i), (i % 2 == 0 ? DAY_1 : DAY_2) + i * 1_000L));
    }
    all.sort((a, b) -> Long.compare(a.getEventTime(), b.getEventTime()));
    return all;
  }

  private static StreamOptions options(String... flags) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrapServers=unused:9092", "--registry=unused", "--model=promo@champion"));
    args.addAll(List.of(flags));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).as(StreamOptions.class);
  }

  @Test
  public void bigQuerySinkWritesEveryOutputToItsTableAndRejectedRowsBecomeDeadLetters()
      throws Exception {
    FakeDatasetService.setUp();
    FakeDatasetService datasets = new FakeDatasetService();
    String dataset = "stream_" + DATASETS.incrementAndGet();
    datasets.createDataset(PROJECT, dataset, "", "", null);
    // The predictions table refuses e-bad's prediction (its audit record is fine); the dead-letter
    // table refuses the dead letter whose raw input is "poison".
    datasets.setShouldFailRow(
        (Function<TableRow, Boolean> & Serializable)
            r ->
                (r.containsKey("variant")
                        && !r.containsKey("run_id")
                        && "e-bad".equals(r.get("event_id")))
                    || (r.containsKey("reason") && "poison".equals(r.get("raw"))));
    Path out = TMP.newFolder("bigquery").toPath();
    StreamOptions options =
        options(
            "--sink=bigquery",
            "--bigQueryDataset=" + PROJECT + ":" + dataset,
            "--output=" + out,
            "--fileWindow=PT1S");
    options.setBigQueryServices(
        new FakeBigQueryServices()
            .withDatasetService(datasets)
            .withJobService(new FakeJobService()));

    List<Prediction> all = new ArrayList<>(somePredictions(4));
    all.add(prediction("e-bad", DAY_2 + 10_000L));
    PCollection<Prediction> predictions = predictions(all);
    DeadLetter parseFailure =
        DeadLetters.of(
            Sources.CLICKS, Steps.PARSE, Reasons.MALFORMED_JSON, "bad json", "{oops", null);
    DeadLetter poison =
        DeadLetters.of(
            Sources.ORDERS, Steps.PARSE, Reasons.MALFORMED_JSON, "bad json", "poison", DAY_1);
    PCollection<DeadLetter> deadLetters =
        p.apply(
            "ReadDeadLetters",
            TestStream.create(DeadLetters.coder())
                .addElements(
                    TimestampedValue.of(parseFailure, new Instant(DAY_1)),
                    TimestampedValue.of(poison, new Instant(DAY_1)))
                .advanceWatermarkToInfinity());
    PCollection<DriftRecord> drift =
        p.apply(
            "ReadDriftRecords",
            TestStream.create(AvroCoder.specific(DriftRecord.class))
                .addElements(
                    TimestampedValue.of(driftRecord("clicks_7d", "psi", DAY_1), new Instant(DAY_1)),
                    TimestampedValue.of(driftRecord("clicks_7d", "ks", DAY_1), new Instant(DAY_1)))
                .advanceWatermarkToInfinity());

    StreamOutputs outputs =
        StreamOutputs.of(predictions, deadLetters)
            .withAudit(predictions.apply("MakeAuditRecords", ToAuditRecords.forRun("stream-test")))
            .withDrift(drift);
    PCollection<DeadLetter> written = outputs.apply("WriteOutputs", StreamSinks.chosenBy(options));

    PAssert.that(written)
        .satisfies(
            letters -> {
              Map<String, String> reasons = new TreeMap<>();
              for (DeadLetter d : letters) {
                reasons.put(
                    d.getSource()
                        + "/"
                        + d.getRaw().replaceAll(".*\"event_id\":\"(e-bad)\".*", "$1"),
                    d.getReason());
                if (Reasons.SINK_REJECTED.equals(d.getReason())) {
                  assertEquals(Steps.SINK, d.getStep());
                  assertEquals(Long.valueOf(DAY_2 + 10_000L), d.getEventTime());
                }
              }
              assertEquals(
                  Map.of(
                      "clicks/{oops",
                      Reasons.MALFORMED_JSON,
                      "orders/poison",
                      Reasons.MALFORMED_JSON,
                      BigQueryDestinations.PREDICTIONS + "/e-bad",
                      Reasons.SINK_REJECTED),
                  reasons);
              return null;
            });
    p.run().waitUntilFinish();

    assertEquals(
        AvroToBigQuery.tableSchema(Prediction.class),
        table(datasets, dataset, "predictions").getSchema());
    assertEquals(
        AvroToBigQuery.tableSchema(AuditRecord.class),
        table(datasets, dataset, "audit").getSchema());
    assertEquals(
        AvroToBigQuery.tableSchema(DriftRecord.class),
        table(datasets, dataset, "drift").getSchema());
    assertEquals(
        AvroToBigQuery.tableSchema(DeadLetter.class),
        table(datasets, dataset, "dead_letters").getSchema());
    assertEquals(
        List.of("feature", "statistic"),
        table(datasets, dataset, "drift").getClustering().getFields());

    List<String> predicted =
        column(datasets.getAllRows(PROJECT, dataset, "predictions"), "event_id");
    assertEquals(List.of("e000", "e001", "e002", "e003"), predicted);
    List<TableRow> audit = datasets.getAllRows(PROJECT, dataset, "audit");
    assertEquals(List.of("e-bad", "e000", "e001", "e002", "e003"), column(audit, "event_id"));
    for (TableRow a : audit) {
      assertEquals("3", a.get("model_version"));
      assertEquals("stream-test", a.get("run_id"));
    }
    List<TableRow> driftRows = datasets.getAllRows(PROJECT, dataset, "drift");
    assertEquals(List.of("ks", "psi"), column(driftRows, "statistic"));
    // window_start is a timestamp-millis in DriftRecord.avsc: a TIMESTAMP column.
    assertEquals(DAY_1, FakeBigQuery.millis(driftRows.get(0).get("window_start")));

    // The parse failure and e-bad's rejected prediction are in the dead-letter table; the table's
    // refusal of the poison letter is a file under OUTPUT/dead-letters, holding that letter as raw.
    List<TableRow> stored = datasets.getAllRows(PROJECT, dataset, "dead_letters");
    assertEquals(List.of(Reasons.MALFORMED_JSON, Reasons.SINK_REJECTED), column(stored, "reason"));
    List<String> fallback =
        SampleData.linesUnder(out.resolve(FileStreamSinks.DEAD_LETTERS_DIR), ".jsonl");
    assertEquals(1, fallback.size());
    JsonNode refused = JSON.readTree(fallback.get(0));
    assertEquals(BigQueryDestinations.DEAD_LETTERS, refused.path("source").asText());
    assertEquals(Reasons.SINK_REJECTED, refused.path("reason").asText());
    JsonNode original = JSON.readTree(refused.path("raw").asText());
    assertEquals("poison", original.path("raw").asText());
    assertEquals(Sources.ORDERS, original.path("source").asText());
  }

  @Test
  public void filesSinkWritesWindowedFilesHoldingEveryPredictionOnce() throws Exception {
    Path out = TMP.newFolder("files").toPath();
    StreamOptions options =
        options("--sink=files", "--output=" + out, "--fileWindow=PT1S", "--fileShards=2");
    List<Prediction> all = somePredictions(60);
    PCollection<Prediction> predictions = predictions(all);
    DeadLetter late =
        DeadLetters.of(
            Sources.CLICKS, Steps.FEATURES, Reasons.LATE_EVENT, "late", "{}", DAY_1 - 86_400_000L);
    // A dead letter stamped a day before everything else: far behind the watermark, not dropped.
    PCollection<DeadLetter> deadLetters =
        p.apply(
            "ReadDeadLetters",
            TestStream.create(DeadLetters.coder())
                .advanceWatermarkTo(new Instant(DAY_2))
                .addElements(TimestampedValue.of(late, new Instant(DAY_1 - 86_400_000L)))
                .advanceWatermarkToInfinity());
    StreamOutputs outputs =
        StreamOutputs.of(predictions, deadLetters)
            .withAudit(predictions.apply("MakeAuditRecords", ToAuditRecords.forRun("stream-test")));
    outputs.apply("WriteOutputs", StreamSinks.chosenBy(options));
    p.run().waitUntilFinish();

    Pattern windowed =
        Pattern.compile(
            "part-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"
                + "(-pane-\\d+(-late)?(-last)?)?-0000[01]-of-00002\\.jsonl");
    for (String dir : List.of(FileStreamSinks.PREDICTIONS_DIR, FileStreamSinks.AUDIT_DIR)) {
      Map<String, Integer> seen = new HashMap<>();
      Map<String, String> dateOf = new HashMap<>();
      for (Path file : files(out.resolve(dir))) {
        assertTrue(file.toString(), windowed.matcher(file.getFileName().toString()).matches());
        String date = file.getParent().getFileName().toString();
        for (String line : Files.readAllLines(file)) {
          JsonNode node = JSON.readTree(line);
          String id = node.path("event_id").asText();
          seen.merge(id, 1, Integer::sum);
          dateOf.put(id, date);
        }
      }
      assertEquals(dir + ": every prediction exactly once", all.size(), seen.size());
      for (Prediction pr : all) {
        assertEquals(dir + " " + pr.getEventId(), Integer.valueOf(1), seen.get(pr.getEventId()));
        assertEquals(
            "event_date=" + PartitionedFileSink.eventDate(pr.getEventTime()),
            dateOf.get(pr.getEventId()));
      }
    }
    List<Path> deadLetterFiles = files(out.resolve(FileStreamSinks.DEAD_LETTERS_DIR));
    assertTrue(
        deadLetterFiles.toString(),
        deadLetterFiles.stream()
            .allMatch(f -> windowed.matcher(f.getFileName().toString()).matches()));
    List<String> letters =
        SampleData.linesUnder(out.resolve(FileStreamSinks.DEAD_LETTERS_DIR), ".jsonl");
    assertEquals(1, letters.size());
    assertEquals(Reasons.LATE_EVENT, JSON.readTree(letters.get(0)).path("reason").asText());
  }

  @Test
  public void sinkFlagsAreCheckedWhenTheJobIsBuilt() {
    assertEquals(BigQuerySinkOptions.Sink.kafka, StreamSinks.sink(options()));
    assertTrue(StreamSinks.chosenBy(options()) instanceof KafkaStreamSinks);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> StreamSinks.chosenBy(options("--sink=files")));
    assertTrue(e.getMessage(), e.getMessage().contains("--output"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StreamSinks.chosenBy(options("--sink=bigquery", "--output=/tmp/x")));
    assertTrue(e.getMessage(), e.getMessage().contains("--bigQueryDataset"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                StreamSinks.chosenBy(
                    options("--sink=files", "--output=/tmp/x", "--fileWindow=1m")));
    assertTrue(e.getMessage(), e.getMessage().contains("--fileWindow"));
    p.enableAbandonedNodeEnforcement(false);
  }

  @Test
  public void aFileSinkRefusesAnUnboundedInputWithoutWindows() {
    PCollection<Prediction> predictions = predictions(somePredictions(3));
    PartitionedFileSink<Prediction> sink =
        PartitionedFileSink.of(
            Prediction.class,
            TMP.getRoot() + "/nowindows",
            io.beamml.pipelines.options.OutputOptions.OutputFormat.jsonl,
            Prediction::getEventTime,
            io.beamml.pipelines.io.JsonRecords.renderer());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> predictions.apply("WriteWithoutWindows", sink));
    assertTrue(e.getMessage(), e.getMessage().contains("withWindows"));
    p.enableAbandonedNodeEnforcement(false);
  }

  private static Table table(FakeDatasetService datasets, String dataset, String name)
      throws Exception {
    return datasets.getTable(
        new TableReference().setProjectId(PROJECT).setDatasetId(dataset).setTableId(name));
  }

  private static List<String> column(List<TableRow> rows, String name) {
    return rows.stream()
        .map(r -> String.valueOf(r.get(name)))
        .sorted()
        .collect(Collectors.toList());
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().startsWith("."))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
