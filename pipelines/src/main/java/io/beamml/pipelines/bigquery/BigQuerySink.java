package io.beamml.pipelines.bigquery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.bigquery.model.Clustering;
import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import com.google.api.services.bigquery.model.TimePartitioning;
import io.beamml.schemas.DeadLetter;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Steps;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.CreateDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.Method;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryIO.Write.WriteDisposition;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryServices;
import org.apache.beam.sdk.io.gcp.bigquery.BigQueryStorageApiInsertError;
import org.apache.beam.sdk.io.gcp.bigquery.TableRowJsonCoder;
import org.apache.beam.sdk.io.gcp.bigquery.WriteResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Appends records to a BigQuery table through the Storage Write API. The table is created if
 * needed, with the schema {@link AvroToBigQuery} derives from the record's Avro schema, partitioned
 * by day on the event-time column. Rows BigQuery rejects (or that do not fit the table) come back
 * as dead letters ({@code step=sink}, {@code reason=sink_rejected}, the row's JSON as raw input,
 * BigQuery's error as message) for the caller to flatten into its own; the output holds the rows
 * BigQuery accepted, so a run can count them.
 *
 * <pre>{@code
 * WithFailures.Result<PCollection<TableRow>, DeadLetter> written = predictions.apply(
 *     "WritePredictionsToBigQuery",
 *     BigQuerySink.of(Prediction.class, "my-project:ml.predictions", "predictions")
 *         .withClustering("customer_key"));
 * }</pre>
 *
 * <p>Method: a bounded input uses {@link Method#STORAGE_WRITE_API} (exactly once: pending streams
 * committed when the bundle finishes); an unbounded input uses {@link
 * Method#STORAGE_API_AT_LEAST_ONCE} (the table's default stream: no triggering frequency or stream
 * count to tune and cheaper, but a retried bundle can write a row twice, so queries deduplicate on
 * {@code event_id} and {@code model_version}). {@link #withMethod} overrides; an exactly-once write
 * of an unbounded input commits every {@link #DEFAULT_TRIGGERING_FREQUENCY} with auto-sharding.
 */
public final class BigQuerySink<T extends SpecificRecord>
    extends PTransform<PCollection<T>, WithFailures.Result<PCollection<TableRow>, DeadLetter>> {

  public static final String DEFAULT_PARTITION_FIELD = "event_time";
  public static final Duration DEFAULT_TRIGGERING_FREQUENCY = Duration.standardSeconds(10);
  public static final String METRICS_NAMESPACE = "bigquery";

  private final Class<T> recordClass;
  private final String table;
  private final String source;
  private final @Nullable String partitionField;
  private final List<String> clusteringFields;
  private final @Nullable Method method;
  private final boolean validate;
  private final @Nullable BigQueryServices services;

  private BigQuerySink(
      Class<T> recordClass,
      String table,
      String source,
      @Nullable String partitionField,
      List<String> clusteringFields,
      @Nullable Method method,
      boolean validate,
      @Nullable BigQueryServices services) {
    this.recordClass = recordClass;
    this.table = table;
    this.source = source;
    this.partitionField = partitionField;
    this.clusteringFields = List.copyOf(clusteringFields);
    this.method = method;
    this.validate = validate;
    this.services = services;
  }

  /**
   * Writes {@code recordClass} records to {@code table} ({@code PROJECT:DATASET.TABLE}); rejected
   * rows become dead letters of {@code source}.
   */
  public static <T extends SpecificRecord> BigQuerySink<T> of(
      Class<T> recordClass, String table, String source) {
    if (recordClass == null) {
      throw new IllegalArgumentException("record class must not be null");
    }
    if (table == null || !table.matches("[^:.]+[:.][^:.]+\\.[^:.]+")) {
      throw new IllegalArgumentException(
          "BigQuery table must be PROJECT:DATASET.TABLE, got " + table);
    }
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("source (for dead letters) must not be empty");
    }
    BigQuerySink<T> sink =
        new BigQuerySink<>(recordClass, table, source, null, List.of(), null, true, null);
    boolean hasEventTime =
        AvroToBigQuery.avroSchema(recordClass).getField(DEFAULT_PARTITION_FIELD) != null;
    return hasEventTime ? sink.withPartitionField(DEFAULT_PARTITION_FIELD) : sink;
  }

  /** Partitions the table by day on {@code field}, a TIMESTAMP or DATE column. */
  public BigQuerySink<T> withPartitionField(String field) {
    TableFieldSchema column = column(field);
    if (!"TIMESTAMP".equals(column.getType()) && !"DATE".equals(column.getType())) {
      throw new IllegalArgumentException(
          "partition column " + field + " must be TIMESTAMP or DATE, is " + column.getType());
    }
    return new BigQuerySink<>(
        recordClass, table, source, field, clusteringFields, method, validate, services);
  }

  /** An unpartitioned table. */
  public BigQuerySink<T> withoutPartitioning() {
    return new BigQuerySink<>(
        recordClass, table, source, null, clusteringFields, method, validate, services);
  }

  /** Clusters the table on up to four top-level columns, e.g. {@code customer_key}. */
  public BigQuerySink<T> withClustering(String... fields) {
    if (fields.length == 0 || fields.length > 4) {
      throw new IllegalArgumentException(
          "BigQuery clusters on 1 to 4 columns, got " + fields.length);
    }
    for (String f : fields) {
      column(f);
    }
    return new BigQuerySink<>(
        recordClass, table, source, partitionField, List.of(fields), method, validate, services);
  }

  /**
   * {@link Method#STORAGE_WRITE_API} or {@link Method#STORAGE_API_AT_LEAST_ONCE}; default by
   * boundedness.
   */
  public BigQuerySink<T> withMethod(Method method) {
    if (method != Method.STORAGE_WRITE_API && method != Method.STORAGE_API_AT_LEAST_ONCE) {
      throw new IllegalArgumentException(
          "only the Storage Write API methods return rejected rows, got " + method);
    }
    return new BigQuerySink<>(
        recordClass, table, source, partitionField, clusteringFields, method, validate, services);
  }

  /** Skips the launch-time check that the dataset exists (which needs credentials). */
  public BigQuerySink<T> withoutValidation() {
    return new BigQuerySink<>(
        recordClass, table, source, partitionField, clusteringFields, method, false, services);
  }

  /** Talks to {@code services} instead of Google's, e.g. Beam's {@code FakeBigQueryServices}. */
  public BigQuerySink<T> withTestServices(BigQueryServices services) {
    if (services == null) {
      throw new IllegalArgumentException("services must not be null");
    }
    return new BigQuerySink<>(
        recordClass, table, source, partitionField, clusteringFields, method, validate, services);
  }

  /** The table's schema, derived from the record's Avro schema. */
  public TableSchema schema() {
    return AvroToBigQuery.tableSchema(recordClass);
  }

  public String table() {
    return table;
  }

  /** The dead-letter source of rejected rows, also the run summary's name for this table. */
  public String source() {
    return source;
  }

  /** The write method for an input of this boundedness. */
  public Method methodFor(PCollection.IsBounded boundedness) {
    if (method != null) {
      return method;
    }
    return boundedness == PCollection.IsBounded.BOUNDED
        ? Method.STORAGE_WRITE_API
        : Method.STORAGE_API_AT_LEAST_ONCE;
  }

  @Override
  public WithFailures.Result<PCollection<TableRow>, DeadLetter> expand(PCollection<T> records) {
    Method chosen = methodFor(records.isBounded());
    SerializableFunction<T, TableRow> toRow = AvroToBigQuery::toTableRow;
    BigQueryIO.Write<T> write =
        BigQueryIO.<T>write()
            .to(table)
            .withSchema(schema())
            .withFormatFunction(toRow)
            .withMethod(chosen)
            .withCreateDisposition(CreateDisposition.CREATE_IF_NEEDED)
            .withWriteDisposition(WriteDisposition.WRITE_APPEND)
            .withPropagateSuccessfulStorageApiWrites(true);
    if (partitionField != null) {
      write =
          write.withTimePartitioning(
              new TimePartitioning().setType("DAY").setField(partitionField));
    }
    if (!clusteringFields.isEmpty()) {
      write = write.withClustering(new Clustering().setFields(clusteringFields));
    }
    if (chosen == Method.STORAGE_WRITE_API
        && records.isBounded() == PCollection.IsBounded.UNBOUNDED) {
      write = write.withTriggeringFrequency(DEFAULT_TRIGGERING_FREQUENCY).withAutoSharding();
    }
    if (!validate) {
      write = write.withoutValidation();
    }
    if (services != null) {
      write = write.withTestServices(services);
    }
    WriteResult result = records.apply("WriteRows", write);
    String timeColumn =
        partitionField != null && "TIMESTAMP".equals(column(partitionField).getType())
            ? partitionField
            : null;
    PCollection<DeadLetter> rejected =
        result
            .getFailedStorageApiInserts()
            .apply(
                "RejectedRowsToDeadLetters",
                ParDo.of(new RejectedRowToDeadLetter(source, table, timeColumn)))
            .setCoder(DeadLetters.coder());
    PCollection<TableRow> written =
        result.getSuccessfulStorageApiInserts().setCoder(TableRowJsonCoder.of());
    return WithFailures.Result.of(written, rejected);
  }

  private TableFieldSchema column(String name) {
    for (TableFieldSchema f : schema().getFields()) {
      if (f.getName().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(recordClass.getSimpleName() + " has no column " + name);
  }

  /** One dead letter per row the Storage Write API refused, with BigQuery's reason. */
  static final class RejectedRowToDeadLetter
      extends DoFn<BigQueryStorageApiInsertError, DeadLetter> {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String source;
    private final String table;
    private final @Nullable String timeColumn;
    private final Counter rejected = Metrics.counter(METRICS_NAMESPACE, "rows_rejected");

    RejectedRowToDeadLetter(String source, String table, @Nullable String timeColumn) {
      this.source = source;
      this.table = table;
      this.timeColumn = timeColumn;
    }

    @ProcessElement
    public void process(
        @Element BigQueryStorageApiInsertError error, OutputReceiver<DeadLetter> out) {
      rejected.inc();
      TableRow row = error.getRow();
      String reason = error.getErrorMessage() == null ? "no reason given" : error.getErrorMessage();
      out.output(
          DeadLetters.of(
              source,
              Steps.SINK,
              Reasons.SINK_REJECTED,
              "BigQuery table " + table + " rejected the row: " + reason,
              json(row),
              eventTimeMillis(row)));
    }

    /**
     * The event time of a rejected row. A row refused before it was sent holds the microseconds
     * this sink wrote; one BigQuery refused comes back decoded from the request, the TIMESTAMP as
     * text ({@code 2023-11-14 T22:13:20.5}) or as its microseconds in text.
     */
    private @Nullable Long eventTimeMillis(@Nullable TableRow row) {
      Object value = row == null || timeColumn == null ? null : row.get(timeColumn);
      if (value instanceof Number) {
        return ((Number) value).longValue() / 1000L;
      }
      if (!(value instanceof String)) {
        return null;
      }
      String text = ((String) value).replace(" ", "");
      if (text.matches("-?\\d+")) {
        return Long.parseLong(text) / 1000L;
      }
      try {
        return OffsetDateTime.parse(text).toInstant().toEpochMilli();
      } catch (DateTimeParseException withoutOffset) {
        try {
          return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException unreadable) {
          return null;
        }
      }
    }

    static String json(@Nullable TableRow row) {
      if (row == null) {
        return "";
      }
      try {
        return MAPPER.writeValueAsString(row);
      } catch (JsonProcessingException e) {
        return row.toString();
      }
    }
  }
}
