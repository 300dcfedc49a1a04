package io.beamml.pipelines.bigquery;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableReference;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import io.beamml.pipelines.SampleData;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Steps;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.beam.sdk.io.gcp.testing.FakeBigQueryServices;
import org.apache.beam.sdk.io.gcp.testing.FakeDatasetService;
import org.apache.beam.sdk.io.gcp.testing.FakeJobService;

/**
 * One fresh dataset in Beam's fake BigQuery for a pipeline run, and a way to compare what landed in
 * its tables with the records a files run wrote. The fake hands rows back as BigQuery's API does
 * (numbers and times as text, nulls left out), so both sides are brought to one canonical form,
 * column by column, following the table's schema.
 */
public final class FakeBigQuery {

  public static final String PROJECT = "beamml-test";

  /** Beam remembers per JVM which tables it created: every run gets a dataset of its own. */
  private static final AtomicInteger DATASETS = new AtomicInteger();

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final FakeDatasetService datasets;
  private final String dataset;

  private FakeBigQuery(FakeDatasetService datasets, String dataset) {
    this.datasets = datasets;
    this.dataset = dataset;
  }

  /** A new, empty dataset named {@code prefix_N}. */
  public static FakeBigQuery create(String prefix) throws Exception {
    FakeDatasetService.setUp();
    FakeDatasetService datasets = new FakeDatasetService();
    String dataset = prefix + "_" + DATASETS.incrementAndGet();
    datasets.createDataset(PROJECT, dataset, "", "", null);
    return new FakeBigQuery(datasets, dataset);
  }

  /** Has the fake refuse every row for which {@code shouldFail} holds, in every table. */
  public FakeBigQuery failing(RowTest shouldFail) {
    datasets.setShouldFailRow(shouldFail);
    return this;
  }

  /** Which rows the fake refuses; serializable, as the fake travels inside the pipeline. */
  public interface RowTest extends Function<TableRow, Boolean>, Serializable {}

  /**
   * Points a run's flags at this dataset: {@code --sink=bigquery}, the dataset and the fake
   * services.
   */
  public void configure(BigQuerySinkOptions options) {
    options.setSink(BigQuerySinkOptions.Sink.bigquery);
    options.setBigQueryDataset(PROJECT + ":" + dataset);
    options.setBigQueryServices(
        new FakeBigQueryServices()
            .withDatasetService(datasets)
            .withJobService(new FakeJobService()));
  }

  public Table table(String name) throws Exception {
    return datasets.getTable(
        new TableReference().setProjectId(PROJECT).setDatasetId(dataset).setTableId(name));
  }

  public List<TableRow> rows(String table) throws Exception {
    return datasets.getAllRows(PROJECT, dataset, table);
  }

  /** The stored rows of a table in canonical form, sorted. */
  public List<String> canonicalRows(String table) throws Exception {
    TableSchema schema = table(table).getSchema();
    List<String> rows = new ArrayList<>();
    for (TableRow row : rows(table)) {
      rows.add(canonical(schema.getFields(), row));
    }
    rows.sort(null);
    return rows;
  }

  /** Records in the canonical form of {@code schema}'s rows, sorted. */
  public static List<String> canonicalRecords(
      TableSchema schema, Collection<? extends IndexedRecord> records) {
    List<String> rows = new ArrayList<>();
    for (IndexedRecord r : records) {
      rows.add(canonical(schema.getFields(), r));
    }
    rows.sort(null);
    return rows;
  }

  /**
   * A row (a stored {@link TableRow}) or a record (an Avro {@link IndexedRecord}) as text: every
   * column of the schema in order, times as epoch milliseconds, numbers parsed, absent values and
   * empty repeated columns shown as such.
   */
  public static String canonical(List<TableFieldSchema> columns, Object rowOrRecord) {
    Map<String, Object> out = new TreeMap<>();
    for (TableFieldSchema column : columns) {
      Object value = get(rowOrRecord, column.getName());
      if ("REPEATED".equals(column.getMode())) {
        List<Object> items = new ArrayList<>();
        if (value != null) {
          for (Object item : (Collection<?>) value) {
            items.add(cell(column, item));
          }
        }
        out.put(column.getName(), items);
      } else {
        out.put(column.getName(), value == null ? "<null>" : cell(column, value));
      }
    }
    return out.toString();
  }

  private static Object get(Object rowOrRecord, String name) {
    if (rowOrRecord instanceof IndexedRecord) {
      IndexedRecord record = (IndexedRecord) rowOrRecord;
      Schema.Field field = record.getSchema().getField(name);
      if (field == null) {
        throw new AssertionError(record.getSchema().getName() + " has no field " + name);
      }
      return record.get(field.pos());
    }
    return ((Map<?, ?>) rowOrRecord).get(name);
  }

  private static Object cell(TableFieldSchema column, Object value) {
    switch (column.getType()) {
      case "RECORD":
        return canonical(column.getFields(), value);
      case "TIMESTAMP":
        return value instanceof Number ? ((Number) value).longValue() : millis(value);
      case "INT64":
        return Long.parseLong(value.toString());
      case "FLOAT64":
        return Double.parseDouble(value.toString());
      case "BOOL":
        return Boolean.parseBoolean(value.toString());
      default:
        return value.toString();
    }
  }

  /**
   * A TIMESTAMP as the fake returns it (e.g. {@code 2026-01-01 T08:00:00.250}) in epoch
   * milliseconds.
   */
  public static long millis(Object timestamp) {
    String text = timestamp.toString().replace(" ", "");
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException withoutOffset) {
      return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
    }
  }

  /**
   * What identifies a stored dead letter: source, step, reason, raw input and event time (not the
   * message).
   */
  public static String deadLetterKey(TableRow d) {
    Object time = d.get("event_time");
    return key(
        String.valueOf(d.get("source")),
        String.valueOf(d.get("step")),
        String.valueOf(d.get("reason")),
        String.valueOf(d.get("raw")),
        time == null ? null : millis(time));
  }

  /** The same key of a dead letter a files run wrote as JSON Lines. */
  public static String deadLetterKey(JsonNode d) {
    JsonNode time = d.path("event_time");
    return key(
        d.path("source").asText(),
        d.path("step").asText(),
        d.path("reason").asText(),
        d.path("raw").asText(),
        time.isNull() || time.isMissingNode() ? null : Instant.parse(time.asText()).toEpochMilli());
  }

  /** The keys of stored dead letters, sorted. */
  public static List<String> deadLetterKeys(List<TableRow> rows) {
    List<String> keys = new ArrayList<>();
    rows.forEach(r -> keys.add(deadLetterKey(r)));
    keys.sort(null);
    return keys;
  }

  /** The keys of the dead letters a files run wrote as JSON Lines under {@code dir}, sorted. */
  public static List<String> deadLetterKeys(Path dir) throws IOException {
    List<String> keys = new ArrayList<>();
    for (String line : SampleData.linesUnder(dir, ".jsonl")) {
      keys.add(deadLetterKey(MAPPER.readTree(line)));
    }
    keys.sort(null);
    return keys;
  }

  /** Stored dead letters counted per {@code source/reason}. */
  public static Map<String, Long> countBySourceAndReason(List<TableRow> deadLetters) {
    Map<String, Long> counts = new TreeMap<>();
    for (TableRow d : deadLetters) {
      counts.merge(d.get("source") + "/" + d.get("reason"), 1L, Long::sum);
    }
    return counts;
  }

  /**
   * Dead letters the dead-letter table refuses fall back to JSON Lines under {@code dir}: asserts
   * it refused none.
   */
  public static void assertNoFallbackDeadLetters(Path dir) {
    if (Files.exists(dir)) {
      assertEquals(List.of(), SampleData.linesUnder(dir, ".jsonl"));
    }
  }

  /**
   * The dead-letter table of a BigQuery run whose {@code table} refused one row: the inputs' dead
   * letters are exactly a files run's ({@code fileDeadLetterKeys}) and the manifest's, plus one
   * {@code sink_rejected} letter from step {@code sink} carrying the refused record (its id in the
   * raw JSON, its time as event time). Returns that letter.
   */
  public static TableRow assertInputDeadLettersAndOneRefusal(
      List<TableRow> deadLetters,
      List<String> fileDeadLetterKeys,
      List<String> inputs,
      String table,
      String refusedId,
      long refusedTime) {
    List<TableRow> rejected = new ArrayList<>();
    List<TableRow> others = new ArrayList<>();
    for (TableRow d : deadLetters) {
      (Reasons.SINK_REJECTED.equals(d.get("reason")) ? rejected : others).add(d);
    }
    SampleData.assertSameLines(
        "dead letters of the inputs", fileDeadLetterKeys, deadLetterKeys(others));
    assertEquals(SampleData.manifestDeadLetters(inputs), countBySourceAndReason(others));
    assertEquals(1, rejected.size());
    TableRow d = rejected.get(0);
    assertEquals(table, d.get("source"));
    assertEquals(Steps.SINK, d.get("step"));
    assertTrue(
        String.valueOf(d.get("raw")),
        String.valueOf(d.get("raw")).contains("\"" + refusedId + "\""));
    assertEquals(refusedTime, millis(d.get("event_time")));
    return d;
  }

  /**
   * The summary of a BigQuery run whose table refused one of {@code handedOver} rows: it balances,
   * every input source counts as in the files run, and the table's own source shows the rows handed
   * over in, the accepted ones out and the refused one as a {@code sink_rejected} dead letter.
   */
  public static void assertOneRowRefused(
      JsonNode summary, JsonNode fileSummary, List<String> inputs, String table, long handedOver) {
    assertTrue(summary.toPrettyString(), summary.path("balanced").asBoolean());
    for (String source : inputs) {
      assertEquals(
          source, fileSummary.path("sources").path(source), summary.path("sources").path(source));
    }
    JsonNode written = summary.path("sources").path(table);
    assertEquals(handedOver, written.path("records_in").asLong());
    assertEquals(handedOver - 1, written.path("records_out").asLong());
    assertEquals(1L, written.path("dead_letters").path(Reasons.SINK_REJECTED).asLong());
    assertEquals(1, written.path("dead_letters").size());
    assertTrue(written.path("balanced").asBoolean());
  }

  private static String key(
      String source, String step, String reason, String raw, Long eventTimeMillis) {
    return source + "|" + step + "|" + reason + "|" + raw + "|" + eventTimeMillis;
  }
}
