package io.beamml.pipelines.bigquery;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import io.beamml.schemas.Contribution;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Steps;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.Method;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/**
 * BigQuerySink against Beam's fake BigQuery services (no network, no credentials): the table is
 * created with the derived schema, partitioning and clustering, the rows land as written, and a row
 * the service rejects comes back as one dead letter while the others are written.
 */
public class BigQuerySinkTest {

  private static final String PROJECT = "beamml-test";

  /** Beam remembers per JVM which tables it created: a fresh dataset per test keeps them apart. */
  private static final AtomicInteger DATASETS = new AtomicInteger();

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private String dataset;
  private FakeDatasetService datasets;
  private FakeBigQueryServices services;

  @Before
  public void fakeBigQuery() throws Exception {
    FakeDatasetService.setUp();
    datasets = new FakeDatasetService();
    dataset = "ml_" + DATASETS.incrementAndGet();
    datasets.createDataset(PROJECT, dataset, "", "", null);
    services =
        new FakeBigQueryServices()
            .withDatasetService(datasets)
            .withJobService(new FakeJobService());
  }

  private String table(String name) {
    return PROJECT + ":" + dataset + "." + name;
  }

  private Table storedTable(String name) throws Exception {
    return datasets.getTable(
        new TableReference().setProjectId(PROJECT).setDatasetId(dataset).setTableId(name));
  }

  static Prediction prediction(String eventId, double score, long eventTime) {
    return Prediction.newBuilder()
        .setEventId(eventId)
        .setCustomerKey("cust-" + eventId)
        .setEventTime(eventTime)
        .setScore(score)
        .setModelName("promo")
        .setModelVersion("2")
        .setVariant("champion")
        .setSpecFingerprint("fp-1")
        .setContributions(
            List.of(Contribution.newBuilder().setFeature("clicks_7d").setValue(0.25).build()))
        .build();
  }

  @Test
  public void predictionsLandWithTheDerivedSchemaPartitionedByEventDate() throws Exception {
    BigQuerySink<Prediction> sink =
        BigQuerySink.of(Prediction.class, table("predictions"), "predictions")
            .withClustering("customer_key")
            .withTestServices(services);
    PCollection<Prediction> predictions =
        p.apply(
            Create.of(
                    prediction("e1", 0.25, 1_700_000_000_000L),
                    prediction("e2", 0.75, 1_700_086_400_500L))
                .withCoder(AvroCoder.specific(Prediction.class)));
    WithFailures.Result<PCollection<TableRow>, DeadLetter> written = predictions.apply(sink);
    PAssert.that(written.failures()).empty();
    PAssert.thatSingleton(written.output().apply(Count.globally())).isEqualTo(2L);
    p.run().waitUntilFinish();

    Table stored = storedTable("predictions");
    assertEquals(AvroToBigQuery.tableSchema(Prediction.class), stored.getSchema());
    assertEquals("DAY", stored.getTimePartitioning().getType());
    assertEquals("event_time", stored.getTimePartitioning().getField());
    assertEquals(List.of("customer_key"), stored.getClustering().getFields());

    List<TableRow> rows = sorted(datasets.getAllRows(PROJECT, dataset, "predictions"));
    assertEquals(2, rows.size());
    TableRow first = rows.get(0);
    assertEquals("e1", first.get("event_id"));
    assertEquals("cust-e1", first.get("customer_key"));
    assertEquals(1_700_000_000_000L, storedMillis(first.get("event_time")));
    // The fake returns rows as BigQuery's API does: numbers and times as text.
    assertEquals("0.25", first.get("score"));
    assertEquals("2", first.get("model_version"));
    assertEquals(
        List.of(new TableRow().set("feature", "clicks_7d").set("value", "0.25")),
        first.get("contributions"));
    assertEquals(1_700_086_400_500L, storedMillis(rows.get(1).get("event_time")));
  }

  @Test
  public void featureRowsAndDeadLettersLandWithTheirSchemas() throws Exception {
    FeatureRow row =
        FeatureRow.newBuilder()
            .setEventId("e1")
            .setCustomerKey("k1")
            .setEventTime(1_000L)
            .setEventType("click")
            .setSpecFingerprint("fp")
            .setFeatures(
                List.of(
                    FeatureValue.newBuilder()
                        .setName("clicks_7d")
                        .setNumber(2.0)
                        .setText(null)
                        .build(),
                    FeatureValue.newBuilder()
                        .setName("channel")
                        .setNumber(null)
                        .setText("app")
                        .build()))
            .build();
    DeadLetter dead =
        DeadLetters.of("clicks", Steps.PARSE, Reasons.MALFORMED_JSON, "bad json", "{oops", null);
    p.apply("CreateRows", Create.of(row).withCoder(AvroCoder.specific(FeatureRow.class)))
        .apply(
            "WriteRows",
            BigQuerySink.of(FeatureRow.class, table("feature_rows"), "feature_rows")
                .withTestServices(services));
    p.apply("CreateDeadLetters", Create.of(dead).withCoder(DeadLetters.coder()))
        .apply(
            "WriteDeadLetters",
            BigQuerySink.of(DeadLetter.class, table("dead_letters"), "dead_letters")
                .withTestServices(services));
    p.run().waitUntilFinish();

    assertEquals(
        AvroToBigQuery.tableSchema(FeatureRow.class), storedTable("feature_rows").getSchema());
    TableRow stored = datasets.getAllRows(PROJECT, dataset, "feature_rows").get(0);
    assertEquals(1_000L, storedMillis(stored.get("event_time")));
    assertEquals(
        List.of(
            new TableRow().set("name", "clicks_7d").set("number", "2.0"),
            new TableRow().set("name", "channel").set("text", "app")),
        stored.get("features"));

    assertEquals(
        AvroToBigQuery.tableSchema(DeadLetter.class), storedTable("dead_letters").getSchema());
    assertEquals("event_time", storedTable("dead_letters").getTimePartitioning().getField());
    TableRow storedDead = datasets.getAllRows(PROJECT, dataset, "dead_letters").get(0);
    assertEquals("clicks", storedDead.get("source"));
    assertEquals("malformed_json", storedDead.get("reason"));
    assertEquals("{oops", storedDead.get("raw"));
    assertEquals(null, storedDead.get("event_time"));
  }

  @Test
  public void aRowBigQueryRejectsBecomesOneDeadLetterAndTheOthersAreWritten() throws Exception {
    datasets.setShouldFailRow(
        (Function<TableRow, Boolean> & Serializable) r -> "e-bad".equals(r.get("event_id")));
    PCollection<Prediction> predictions =
        p.apply(
            Create.of(
                    prediction("e1", 0.25, 1_000L),
                    prediction("e-bad", 0.5, 2_000L),
                    prediction("e3", 0.75, 3_000L))
                .withCoder(AvroCoder.specific(Prediction.class)));
    String table = table("predictions");
    WithFailures.Result<PCollection<TableRow>, DeadLetter> written =
        predictions.apply(
            BigQuerySink.of(Prediction.class, table, "predictions").withTestServices(services));
    PAssert.thatSingleton(written.output().apply(Count.globally())).isEqualTo(2L);
    PAssert.thatSingleton(written.failures())
        .satisfies(
            d -> {
              assertEquals("predictions", d.getSource());
              assertEquals(Steps.SINK, d.getStep());
              assertEquals(Reasons.SINK_REJECTED, d.getReason());
              assertTrue(
                  d.getMessage(),
                  d.getMessage().startsWith("BigQuery table " + table + " rejected the row: "));
              assertTrue(d.getMessage(), d.getMessage().contains("Failing row"));
              assertTrue(d.getRaw(), d.getRaw().contains("\"event_id\":\"e-bad\""));
              assertEquals(Long.valueOf(2_000L), d.getEventTime());
              return null;
            });
    p.run().waitUntilFinish();

    List<String> ids = new ArrayList<>();
    for (TableRow r : sorted(datasets.getAllRows(PROJECT, dataset, "predictions"))) {
      ids.add((String) r.get("event_id"));
    }
    assertEquals(List.of("e1", "e3"), ids);
  }

  @Test
  public void anUnboundedInputIsWrittenAtLeastOnceWithRejectedRowsAsDeadLetters() throws Exception {
    datasets.setShouldFailRow(
        (Function<TableRow, Boolean> & Serializable) r -> "late-bad".equals(r.get("event_id")));
    TestStream<Prediction> stream =
        TestStream.create(AvroCoder.specific(Prediction.class))
            .addElements(
                TimestampedValue.of(
                    prediction("s1", 0.1, 1_000L), new org.joda.time.Instant(1_000L)))
            .advanceWatermarkTo(new org.joda.time.Instant(5_000L))
            .addElements(
                TimestampedValue.of(
                    prediction("s2", 0.2, 6_000L), new org.joda.time.Instant(6_000L)),
                TimestampedValue.of(
                    prediction("late-bad", 0.3, 7_000L), new org.joda.time.Instant(7_000L)))
            .advanceWatermarkToInfinity();
    PCollection<Prediction> predictions = p.apply(stream);
    assertEquals(PCollection.IsBounded.UNBOUNDED, predictions.isBounded());
    WithFailures.Result<PCollection<TableRow>, DeadLetter> written =
        predictions.apply(
            BigQuerySink.of(Prediction.class, table("predictions"), "predictions")
                .withTestServices(services));
    PAssert.that(written.failures())
        .satisfies(
            dead -> {
              List<String> raws = new ArrayList<>();
              dead.forEach(d -> raws.add(d.getRaw()));
              assertEquals(1, raws.size());
              assertTrue(raws.get(0), raws.get(0).contains("late-bad"));
              return null;
            });
    p.run().waitUntilFinish();

    List<String> ids = new ArrayList<>();
    for (TableRow r : sorted(datasets.getAllRows(PROJECT, dataset, "predictions"))) {
      ids.add((String) r.get("event_id"));
    }
    assertEquals(List.of("s1", "s2"), ids);
  }

  @Test
  public void methodFollowsBoundednessUnlessChosen() {
    BigQuerySink<Prediction> sink =
        BigQuerySink.of(Prediction.class, table("predictions"), "predictions");
    assertEquals(Method.STORAGE_WRITE_API, sink.methodFor(PCollection.IsBounded.BOUNDED));
    assertEquals(Method.STORAGE_API_AT_LEAST_ONCE, sink.methodFor(PCollection.IsBounded.UNBOUNDED));
    assertEquals(
        Method.STORAGE_API_AT_LEAST_ONCE,
        sink.withMethod(Method.STORAGE_API_AT_LEAST_ONCE).methodFor(PCollection.IsBounded.BOUNDED));
    assertThrows(IllegalArgumentException.class, () -> sink.withMethod(Method.STREAMING_INSERTS));
  }

  @Test
  public void refusesBadTablesPartitionAndClusteringColumns() {
    assertThrows(
        IllegalArgumentException.class,
        () -> BigQuerySink.of(Prediction.class, "predictions", "predictions"));
    BigQuerySink<Prediction> sink =
        BigQuerySink.of(Prediction.class, table("predictions"), "predictions");
    assertThrows(IllegalArgumentException.class, () -> sink.withPartitionField("score"));
    assertThrows(IllegalArgumentException.class, () -> sink.withClustering("no_such_column"));
    assertNotNull(sink.withoutPartitioning());
  }

  @Test
  public void destinationsComeFromTheFlags() {
    BigQuerySinkOptions options =
        org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs(
                "--sink=bigquery", "--bigQueryDataset=proj:ml", "--predictionsTable=scores")
            .as(BigQuerySinkOptions.class);
    BigQueryDestinations destinations = BigQueryDestinations.from(options);
    assertEquals("proj:ml.scores", destinations.predictions().table());
    assertEquals("proj:ml.feature_rows", destinations.featureRows().table());
    assertEquals("proj:ml.dead_letters", destinations.deadLetters().table());
    assertEquals("proj:ml.audit", destinations.audit().table());
    assertEquals("proj:ml.training_examples", destinations.trainingExamples().table());
    assertEquals(BigQueryDestinations.TRAINING_EXAMPLES, destinations.trainingExamples().source());
    options.setTrainingExamplesTable("examples_v2");
    assertEquals(
        "proj:ml.examples_v2", BigQueryDestinations.from(options).trainingExamples().table());
    options.setSink(BigQuerySinkOptions.Sink.files);
    assertEquals(null, BigQueryDestinations.ifChosen(options));
    options.setBigQueryDataset("ml");
    assertThrows(IllegalArgumentException.class, () -> BigQueryDestinations.from(options));
  }

  /**
   * The fake returns a TIMESTAMP as BigQuery's text form, e.g. {@code 2023-11-14 T22:13:20.500}.
   */
  static long storedMillis(Object timestamp) {
    return Instant.parse(timestamp.toString().replace(" ", "") + "Z").toEpochMilli();
  }

  private static List<TableRow> sorted(List<TableRow> rows) {
    List<TableRow> copy = new ArrayList<>(rows);
    copy.sort(
        (a, b) -> String.valueOf(a.get("event_id")).compareTo(String.valueOf(b.get("event_id"))));
    return copy;
  }
}
