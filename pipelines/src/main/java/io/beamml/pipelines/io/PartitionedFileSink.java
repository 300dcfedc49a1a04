package io.beamml.pipelines.io;

import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Writes records into an offline store directory partitioned by event date
 * ({@code DIR/event_date=YYYY-MM-DD/part-*.avro|.jsonl}), the layout Hive, Spark, BigQuery
 * external tables and pandas all read as a partition column.
 */
public final class PartitionedFileSink<T extends SpecificRecord>
    extends PTransform<PCollection<T>, PDone> {

  private final Class<T> recordClass;
  private final String directory;
  private final OutputFormat format;
  private final SerializableFunction<T, Long> eventTimeFn;
  private final SerializableFunction<T, String> jsonFn;

  private PartitionedFileSink(
      Class<T> recordClass,
      String directory,
      OutputFormat format,
      SerializableFunction<T, Long> eventTimeFn,
      SerializableFunction<T, String> jsonFn) {
    this.recordClass = recordClass;
    this.directory = directory;
    this.format = format;
    this.eventTimeFn = eventTimeFn;
    this.jsonFn = jsonFn;
  }

  public static <T extends SpecificRecord> PartitionedFileSink<T> of(
      Class<T> recordClass,
      String directory,
      OutputFormat format,
      SerializableFunction<T, Long> eventTimeFn,
      SerializableFunction<T, String> jsonFn) {
    return new PartitionedFileSink<>(recordClass, directory, format, eventTimeFn, jsonFn);
  }

  /** The UTC date of an epoch-millis instant, as the partition value. */
  public static String eventDate(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate().toString();
  }

  @Override
  public PDone expand(PCollection<T> input) {
    SerializableFunction<T, Long> timeFn = eventTimeFn;
    if (format == OutputFormat.avro) {
      input.apply(
          "WriteAvroByEventDate",
          FileIO.<String, T>writeDynamic()
              .by(r -> eventDate(timeFn.apply(r)))
              .withDestinationCoder(StringUtf8Coder.of())
              .via(AvroIO.sink(recordClass))
              .to(directory)
              .withNaming(date -> FileIO.Write.defaultNaming("event_date=" + date + "/part", ".avro")));
    } else {
      SerializableFunction<T, String> toJson = jsonFn;
      input.apply(
          "WriteJsonLinesByEventDate",
          FileIO.<String, T>writeDynamic()
              .by(r -> eventDate(timeFn.apply(r)))
              .withDestinationCoder(StringUtf8Coder.of())
              .via(Contextful.fn(toJson::apply), TextIO.sink())
              .to(directory)
              .withNaming(date -> FileIO.Write.defaultNaming("event_date=" + date + "/part", ".jsonl")));
    }
    return PDone.in(input.getPipeline());
  }
}
