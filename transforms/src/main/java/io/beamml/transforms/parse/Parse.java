package io.beamml.transforms.parse;

import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.Order;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.metrics.PipelineMetrics;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Text lines of one contract format to records, and every line that is not one to a dead letter
 * with its reason. The same transform reads a file's lines in a backfill and Kafka message values
 * in a stream; element timestamps are left as they are (a later step assigns event time).
 *
 * <p>Each line leaves exactly once: as a record, as a dead letter, or, for a CSV header row, not at
 * all. Header rows are not records and are not dead letters; they are only counted, so a run
 * summary built from the outputs and dead letters excludes them.
 *
 * <p>Counters, namespace {@value #METRICS_NAMESPACE}: {@code <source>.parsed}, {@code
 * <source>.header_lines} and {@code <source>.<reason>} for each dead-letter reason. Every line
 * that is not a header row is also counted as a record in, {@link PipelineMetrics#recordsIn}: Parse
 * is the one door every source's records come through, in batch and in streaming, so that count
 * equals the run summary's {@code records_in}.
 */
public final class Parse<T>
    extends PTransform<PCollection<String>, WithFailures.Result<PCollection<T>, DeadLetter>> {

  private static final long serialVersionUID = 1L;

  public static final String METRICS_NAMESPACE = "parse";
  public static final String PARSED = "parsed";
  public static final String HEADER_LINES = "header_lines";

  /** Lines longer than this, in UTF-8 bytes, are dead letters without being parsed. */
  public static final long DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

  private final String source;
  private final LineParser<T> parser;
  private final Coder<T> coder;
  private final long maxLineBytes;

  private Parse(String source, LineParser<T> parser, Coder<T> coder, long maxLineBytes) {
    this.source = source;
    this.parser = parser;
    this.coder = coder;
    this.maxLineBytes = maxLineBytes;
  }

  /** Any format: the source name written to dead letters and counters, its parser, its coder. */
  public static <T> Parse<T> of(String source, LineParser<T> parser, Coder<T> coder) {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("source must be named");
    }
    if (parser == null || coder == null) {
      throw new IllegalArgumentException("parser and coder are required");
    }
    return new Parse<>(source, parser, coder, DEFAULT_MAX_LINE_BYTES);
  }

  /** Clicks JSON Lines (or Kafka message values) to {@link ClickEvent}. */
  public static Parse<ClickEvent> clicks() {
    return of(Sources.CLICKS, new ClickJsonParser(), AvroCoder.specific(ClickEvent.class));
  }

  /** Sales CSV to {@link Order}. */
  public static Parse<Order> sales() {
    return of(Sources.SALES, new OrderCsvParser(), AvroCoder.specific(Order.class));
  }

  /** Orders topic JSON to {@link Order}. */
  public static Parse<Order> ordersJson() {
    return of(Sources.ORDERS, new OrderJsonParser(), AvroCoder.specific(Order.class));
  }

  /** Profiles CSV to {@link Profile}. */
  public static Parse<Profile> profiles() {
    return of(Sources.PROFILES, new ProfileCsvParser(), AvroCoder.specific(Profile.class));
  }

  /** Promotion responses CSV to {@link PromoResponse}. */
  public static Parse<PromoResponse> responses() {
    return of(Sources.RESPONSES, new PromoResponseCsvParser(), AvroCoder.specific(PromoResponse.class));
  }

  /** The responses topic (the CSV's fields as JSON) to {@link PromoResponse}. */
  public static Parse<PromoResponse> responsesJson() {
    return of(Sources.RESPONSES, new PromoResponseJsonParser(), AvroCoder.specific(PromoResponse.class));
  }

  /** The same transform with another line size limit, in UTF-8 bytes. */
  public Parse<T> withMaxLineBytes(long maxLineBytes) {
    if (maxLineBytes <= 0) {
      throw new IllegalArgumentException("maxLineBytes must be positive, got " + maxLineBytes);
    }
    return new Parse<>(source, parser, coder, maxLineBytes);
  }

  /** The source name written into dead letters and counters. */
  public String source() {
    return source;
  }

  /** The line parser, e.g. for telling header lines apart when counting input. */
  public LineParser<T> parser() {
    return parser;
  }

  @Override
  public WithFailures.Result<PCollection<T>, DeadLetter> expand(PCollection<String> lines) {
    TupleTag<T> recordsTag = new TupleTag<>();
    TupleTag<DeadLetter> deadLettersTag = new TupleTag<>();
    PCollectionTuple parsed =
        lines.apply(
            "ParseLines",
            ParDo.of(new ParseLineFn<>(source, parser, maxLineBytes, recordsTag, deadLettersTag))
                .withOutputTags(recordsTag, TupleTagList.of(deadLettersTag)));
    parsed.get(recordsTag).setCoder(coder);
    parsed.get(deadLettersTag).setCoder(DeadLetters.coder());
    return WithFailures.Result.of(parsed, recordsTag, deadLettersTag);
  }

  private static final class ParseLineFn<T> extends DoFn<String, T> {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final LineParser<T> parser;
    private final long maxLineBytes;
    private final TupleTag<T> recordsTag;
    private final TupleTag<DeadLetter> deadLettersTag;
    private final Counter parsedLines;
    private final Counter headerLines;
    private final Counter recordsIn;
    private transient Map<String, Counter> reasonCounters;

    ParseLineFn(
        String source,
        LineParser<T> parser,
        long maxLineBytes,
        TupleTag<T> recordsTag,
        TupleTag<DeadLetter> deadLettersTag) {
      this.source = source;
      this.parser = parser;
      this.maxLineBytes = maxLineBytes;
      this.recordsTag = recordsTag;
      this.deadLettersTag = deadLettersTag;
      this.parsedLines = Metrics.counter(METRICS_NAMESPACE, source + "." + PARSED);
      this.headerLines = Metrics.counter(METRICS_NAMESPACE, source + "." + HEADER_LINES);
      this.recordsIn = PipelineMetrics.recordsIn(source);
    }

    @ProcessElement
    public void processElement(@Element String line, MultiOutputReceiver out) {
      if (Lines.exceedsUtf8Bytes(line, maxLineBytes)) {
        recordsIn.inc();
        fail(
            line,
            new ParseFailure(
                Reasons.LINE_TOO_LONG, "line is longer than " + maxLineBytes + " bytes"),
            out);
        return;
      }
      if (parser.isHeader(line)) {
        headerLines.inc();
        return;
      }
      recordsIn.inc();
      T record;
      try {
        record = parser.parse(line);
      } catch (ParseFailure failure) {
        fail(line, failure, out);
        return;
      }
      parsedLines.inc();
      out.get(recordsTag).output(record);
    }

    private void fail(String line, ParseFailure failure, MultiOutputReceiver out) {
      if (reasonCounters == null) {
        reasonCounters = new HashMap<>();
      }
      reasonCounters
          .computeIfAbsent(
              failure.reason(), reason -> Metrics.counter(METRICS_NAMESPACE, source + "." + reason))
          .inc();
      out.get(deadLettersTag)
          .output(
              DeadLetters.of(
                  source,
                  Steps.PARSE,
                  failure.reason(),
                  failure.getMessage(),
                  line,
                  failure.eventTimeMillis()));
    }
  }
}
