package io.beamml.pipelines.io;

import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Writes records into an offline store directory partitioned by event date ({@code
 * DIR/event_date=YYYY-MM-DD/part-*.avro|.jsonl}), the layout Hive, Spark, BigQuery external tables
 * and pandas all read as a partition column.
 *
 * <p>An unbounded input needs {@link #withWindows}: each window's pane is then written as its own
 * files, named by window, pane and shard ({@code
 * part-START-END[-pane-N[-late][-last]]-SSSSS-of-NNNNN}, the pane left out when a window has only
 * one), in every event-date directory that window's records fall in.
 */
public final class PartitionedFileSink<T extends SpecificRecord>
    extends PTransform<PCollection<T>, PDone> {

  private final Class<T> recordClass;
  private final String directory;
  private final OutputFormat format;
  private final SerializableFunction<T, Long> eventTimeFn;
  private final SerializableFunction<T, String> jsonFn;
  private final @Nullable FileWindows windows;

  private PartitionedFileSink(
      Class<T> recordClass,
      String directory,
      OutputFormat format,
      SerializableFunction<T, Long> eventTimeFn,
      SerializableFunction<T, String> jsonFn,
      @Nullable FileWindows windows) {
    this.recordClass = recordClass;
    this.directory = directory;
    this.format = format;
    this.eventTimeFn = eventTimeFn;
    this.jsonFn = jsonFn;
    this.windows = windows;
  }

  public static <T extends SpecificRecord> PartitionedFileSink<T> of(
      Class<T> recordClass,
      String directory,
      OutputFormat format,
      SerializableFunction<T, Long> eventTimeFn,
      SerializableFunction<T, String> jsonFn) {
    return new PartitionedFileSink<>(recordClass, directory, format, eventTimeFn, jsonFn, null);
  }

  /** Writes in these windows and shards: required for an unbounded input. */
  public PartitionedFileSink<T> withWindows(FileWindows value) {
    return new PartitionedFileSink<>(
        recordClass,
        directory,
        format,
        eventTimeFn,
        jsonFn,
        Objects.requireNonNull(value, "windows"));
  }

  /** The UTC date of an epoch-millis instant, as the partition value. */
  public static String eventDate(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate().toString();
  }

  @Override
  public PDone expand(PCollection<T> input) {
    PCollection<T> records = input;
    if (windows != null) {
      records = input.apply("AssignFileWindows", windows.<T>assign());
    } else if (input.isBounded() == PCollection.IsBounded.UNBOUNDED) {
      throw new IllegalArgumentException(
          "an unbounded input is written to "
              + directory
              + " in windows: use withWindows(FileWindows)");
    }
    SerializableFunction<T, Long> timeFn = eventTimeFn;
    FileIO.Write<String, T> write;
    if (format == OutputFormat.avro) {
      write =
          FileIO.<String, T>writeDynamic()
              .by(r -> eventDate(timeFn.apply(r)))
              .withDestinationCoder(StringUtf8Coder.of())
              .via(AvroFiles.sink(recordClass, input.getPipeline().getOptions()))
              .to(directory)
              .withNaming(
                  date -> FileIO.Write.defaultNaming("event_date=" + date + "/part", ".avro"));
    } else {
      SerializableFunction<T, String> toJson = jsonFn;
      write =
          FileIO.<String, T>writeDynamic()
              .by(r -> eventDate(timeFn.apply(r)))
              .withDestinationCoder(StringUtf8Coder.of())
              .via(Contextful.fn(toJson::apply), TextIO.sink())
              .to(directory)
              .withNaming(
                  date -> FileIO.Write.defaultNaming("event_date=" + date + "/part", ".jsonl"));
    }
    if (windows != null) {
      write = write.withNumShards(windows.shards());
    } else {
      // A bundle writes every event date it holds itself; otherwise those past Beam's 20 open
      // writers per bundle are shuffled to a second writing step, a whole extra pass on batch.
      write = write.withNoSpilling();
    }
    records.apply(
        format == OutputFormat.avro ? "WriteAvroByEventDate" : "WriteJsonLinesByEventDate", write);
    return PDone.in(input.getPipeline());
  }
}
