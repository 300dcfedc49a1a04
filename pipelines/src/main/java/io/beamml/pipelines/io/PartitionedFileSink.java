package io.beamml.pipelines.io;

import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.pipelines.summary.SummaryCounts;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
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
    extends PTransform<PCollection<T>, PartitionedFileSink.Written> {

  private final Class<T> recordClass;
  private final String directory;
  private final OutputFormat format;
  private final SerializableFunction<T, Long> eventTimeFn;
  private final SerializableFunction<T, String> jsonFn;
  private final @Nullable FileWindows windows;
  private final @Nullable SerializableFunction<T, String> countKeyFn;
  private final String progress;

  private PartitionedFileSink(
      Class<T> recordClass,
      String directory,
      OutputFormat format,
      SerializableFunction<T, Long> eventTimeFn,
      SerializableFunction<T, String> jsonFn,
      @Nullable FileWindows windows,
      @Nullable SerializableFunction<T, String> countKeyFn,
      String progress) {
    this.recordClass = recordClass;
    this.directory = directory;
    this.format = format;
    this.eventTimeFn = eventTimeFn;
    this.jsonFn = jsonFn;
    this.windows = windows;
    this.countKeyFn = countKeyFn;
    this.progress = progress;
  }

  public static <T extends SpecificRecord> PartitionedFileSink<T> of(
      Class<T> recordClass,
      String directory,
      OutputFormat format,
      SerializableFunction<T, Long> eventTimeFn,
      SerializableFunction<T, String> jsonFn) {
    return new PartitionedFileSink<>(
        recordClass, directory, format, eventTimeFn, jsonFn, null, null, "");
  }

  /** Writes in these windows and shards: required for an unbounded input. */
  public PartitionedFileSink<T> withWindows(FileWindows value) {
    return new PartitionedFileSink<>(
        recordClass,
        directory,
        format,
        eventTimeFn,
        jsonFn,
        Objects.requireNonNull(value, "windows"),
        countKeyFn,
        progress);
  }

  /**
   * Also counts the records it writes, under the summary key {@code countKeyFn} gives each (see
   * {@link SummaryCounts#perKey}, which ticks {@code progress}), as {@link Written#counts()}: the
   * summary's records out are then the records this step wrote. A bounded input only.
   */
  public PartitionedFileSink<T> withWrittenCounts(
      SerializableFunction<T, String> countKeyFn, String progress) {
    return new PartitionedFileSink<>(
        recordClass,
        directory,
        format,
        eventTimeFn,
        jsonFn,
        windows,
        Objects.requireNonNull(countKeyFn, "countKeyFn"),
        Objects.requireNonNull(progress, "progress"));
  }

  /** The UTC date of an epoch-millis instant, as the partition value. */
  public static String eventDate(long epochMillis) {
    return IsoText.dateOf(epochMillis);
  }

  @Override
  public Written expand(PCollection<T> input) {
    PCollection<T> records = input;
    if (windows != null) {
      records = input.apply("AssignFileWindows", windows.<T>assign());
    } else if (input.isBounded() == PCollection.IsBounded.UNBOUNDED) {
      throw new IllegalArgumentException(
          "an unbounded input is written to "
              + directory
              + " in windows: use withWindows(FileWindows)");
    }
    SerializableFunction<T, String> countKey = countKeyFn;
    if (countKey != null
        && (windows != null || input.isBounded() != PCollection.IsBounded.BOUNDED)) {
      throw new IllegalArgumentException(
          "the records written to " + directory + " are counted for a bounded input only");
    }
    SerializableFunction<T, Long> timeFn = eventTimeFn;
    if (format == OutputFormat.jsonl && countKey != null) {
      return writeRenderedLines(records, timeFn, countKey);
    }
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
              .withNaming(jsonNaming());
    }
    write = windows != null ? write.withNumShards(windows.shards()) : withoutSpilling(write);
    records.apply(
        format == OutputFormat.avro ? "WriteAvroByEventDate" : "WriteJsonLinesByEventDate", write);
    return new Written(
        input.getPipeline(),
        countKey == null
            ? null
            : records.apply("CountWritten", SummaryCounts.perKey(countKey, progress)));
  }

  /**
   * JSON Lines with their records counted: each record is rendered once, and the writer and the
   * count read the lines (see {@link RenderedLine}).
   */
  private Written writeRenderedLines(
      PCollection<T> records,
      SerializableFunction<T, Long> timeFn,
      SerializableFunction<T, String> countKey) {
    SerializableFunction<T, String> toJson = jsonFn;
    PCollection<RenderedLine> lines =
        records
            .apply(
                "RenderJsonLines",
                MapElements.into(TypeDescriptor.of(RenderedLine.class))
                    .via(
                        (T r) ->
                            new RenderedLine(
                                eventDate(timeFn.apply(r)), countKey.apply(r), toJson.apply(r))))
            .setCoder(RenderedLine.CODER);
    lines.apply(
        "WriteJsonLinesByEventDate",
        withoutSpilling(
            FileIO.<String, RenderedLine>writeDynamic()
                .by(RenderedLine::partition)
                .withDestinationCoder(StringUtf8Coder.of())
                .via(Contextful.fn(RenderedLine::line), TextIO.sink())
                .to(directory)
                .withNaming(jsonNaming())));
    return new Written(
        records.getPipeline(),
        lines.apply("CountWritten", SummaryCounts.perKey(RenderedLine::countKey, progress)));
  }

  private static SerializableFunction<String, FileIO.Write.FileNaming> jsonNaming() {
    return date -> FileIO.Write.defaultNaming("event_date=" + date + "/part", ".jsonl");
  }

  /**
   * A bundle writes every event date it holds itself; otherwise those past Beam's 20 open writers
   * per bundle are shuffled to a second writing step, a whole extra pass on batch.
   */
  private static <X> FileIO.Write<String, X> withoutSpilling(FileIO.Write<String, X> write) {
    return write.withNoSpilling();
  }

  /** What the sink leaves: the written records' counts when asked for. */
  public static final class Written implements POutput {
    private final Pipeline pipeline;
    private final @Nullable PCollection<KV<String, Long>> counts;

    Written(Pipeline pipeline, @Nullable PCollection<KV<String, Long>> counts) {
      this.pipeline = pipeline;
      this.counts = counts;
    }

    /** The summary counts of the records written; see {@link #withWrittenCounts}. */
    public PCollection<KV<String, Long>> counts() {
      if (counts == null) {
        throw new IllegalStateException("the sink was not asked to count: withWrittenCounts");
      }
      return counts;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return counts == null
          ? Collections.emptyMap()
          : Collections.singletonMap(new TupleTag<KV<String, Long>>("counts"), counts);
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {}
  }
}
