package io.beamml.pipelines.io;

import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.io.CompressedSource;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads the records of text files as the exact bytes read, for Parse to decode strictly: TextIO
 * decodes leniently, so invalid UTF-8 would arrive as U+FFFD and two different ids as one.
 *
 * <p>Lines (JSON Lines) split anywhere in a file, like TextIO's. CSV records may hold line breaks
 * in quoted fields; a reader cut into a file at some byte offset cannot know whether it is inside
 * quotes, so CSV files are read whole, one reader per file: parallelism is per file, and a single
 * huge CSV file reads at one core's speed (split it upstream if that matters). Files are
 * decompressed by their extension, like TextIO's default.
 */
public final class RawRecords extends PTransform<PBegin, PCollection<byte[]>> {

  /** Records longer than this are cut to this many bytes plus one (Parse's default line limit). */
  public static final long DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

  private final String glob;
  private final boolean quotedLineBreaks;
  private final long maxRecordBytes;
  private final EmptyMatchTreatment emptyMatchTreatment;
  private final @Nullable String progress;

  private RawRecords(
      String glob,
      boolean quotedLineBreaks,
      long maxRecordBytes,
      EmptyMatchTreatment emptyMatchTreatment,
      @Nullable String progress) {
    this.glob = glob;
    this.quotedLineBreaks = quotedLineBreaks;
    this.maxRecordBytes = maxRecordBytes;
    this.emptyMatchTreatment = emptyMatchTreatment;
    this.progress = progress;
  }

  /** The lines of the files {@code glob} matches; a glob with a wildcard may match nothing. */
  public static RawRecords lines(String glob) {
    if (glob == null || glob.isBlank()) {
      throw new IllegalArgumentException("a file or glob is required");
    }
    return new RawRecords(
        glob, false, DEFAULT_MAX_RECORD_BYTES, EmptyMatchTreatment.ALLOW_IF_WILDCARD, null);
  }

  /**
   * The CSV records (RFC 4180: quoted fields may hold line breaks) of the files {@code glob}
   * matches.
   */
  public static RawRecords csv(String glob) {
    return lines(glob).withQuotedLineBreaks(true);
  }

  /** The same read, framing CSV records ({@code true}) or lines. */
  public RawRecords withQuotedLineBreaks(boolean quoted) {
    return new RawRecords(glob, quoted, maxRecordBytes, emptyMatchTreatment, progress);
  }

  /**
   * The same read with another record limit: a longer record is cut to {@code max + 1} bytes, so it
   * is never held whole yet is still seen as too long; in CSV, a line break past the limit ends a
   * record even inside quotes, so one unclosed quote cannot take the rest of a file.
   */
  public RawRecords withMaxRecordBytes(long max) {
    if (max <= 0 || max == Long.MAX_VALUE) {
      throw new IllegalArgumentException(
          "max record bytes must be positive and finite, got " + max);
    }
    return new RawRecords(glob, quotedLineBreaks, max, emptyMatchTreatment, progress);
  }

  public RawRecords withEmptyMatchTreatment(EmptyMatchTreatment treatment) {
    return new RawRecords(glob, quotedLineBreaks, maxRecordBytes, treatment, progress);
  }

  /**
   * The same read, ticking {@code what} (e.g. "clicks read") in the progress line per record read.
   */
  public RawRecords withProgress(String what) {
    return new RawRecords(glob, quotedLineBreaks, maxRecordBytes, emptyMatchTreatment, what);
  }

  @Override
  public PCollection<byte[]> expand(PBegin begin) {
    RawRecordSource source =
        new RawRecordSource(
            StaticValueProvider.of(glob),
            emptyMatchTreatment,
            quotedLineBreaks,
            maxRecordBytes,
            progress);
    return begin
        .apply(
            "ReadRecords",
            Read.from(
                new RecordBatchSource<>(
                    CompressedSource.from(source).withCompression(Compression.AUTO),
                    BATCH_RECORDS)))
        .apply("UnbatchRecords", ParDo.of(new UnbatchFn()))
        .setCoder(ByteArrayCoder.of());
  }

  /** Records per element the source emits (see {@link RecordBatchSource}). */
  static final int BATCH_RECORDS = 256;

  /** The records of each batch, one by one, as the source read them. */
  private static final class UnbatchFn extends DoFn<List<byte[]>, byte[]> {
    @ProcessElement
    public void processElement(@Element List<byte[]> batch, OutputReceiver<byte[]> out) {
      for (byte[] record : batch) {
        out.output(record);
      }
    }
  }
}
