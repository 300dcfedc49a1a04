package io.beamml.transforms.parse;

import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.Order;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import io.beamml.transforms.coders.SpecificRecordCoder;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.metrics.PipelineMetrics;
import io.beamml.transforms.validate.Rule;
import io.beamml.transforms.validate.RuleCheck;
import io.beamml.transforms.validate.Validate;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Lines of one contract format, as the bytes read, to records, and every line that is not one to a
 * dead letter with its reason. The same transform reads a file's lines (or CSV records) in a
 * backfill and Kafka message values in a stream; element timestamps are left as they are (a later
 * step assigns event time).
 *
 * <p>Lines are decoded as strict UTF-8: a line that is not well-formed UTF-8 is an {@code
 * invalid_utf8} dead letter keeping its exact bytes ({@code raw_base64}), never text with U+FFFD
 * that could merge two ids. With {@link #thenValidate} the same DoFn also checks the contract's
 * rules, so a record that breaks one leaves as a dead letter holding the line as read.
 *
 * <p>Each line leaves exactly once: as a record, as a dead letter, or, for a CSV header row, not at
 * all. Header rows are not records and are not dead letters; they are only counted, so a run
 * summary built from the outputs and dead letters excludes them.
 *
 * <p>Counters, namespace {@value #METRICS_NAMESPACE}: {@code <source>.parsed}, {@code
 * <source>.header_lines} and {@code <source>.<reason>} for each dead-letter reason. Every line that
 * is not a header row is also counted as a record in, {@link PipelineMetrics#recordsIn}: Parse is
 * the one door every source's records come through, in batch and in streaming, so that count equals
 * the run summary's {@code records_in}.
 */
public final class Parse<T>
    extends PTransform<PCollection<byte[]>, WithFailures.Result<PCollection<T>, DeadLetter>> {

  private static final long serialVersionUID = 1L;

  public static final String METRICS_NAMESPACE = "parse";
  public static final String PARSED = "parsed";
  public static final String HEADER_LINES = "header_lines";

  /** Lines longer than this many bytes are dead letters without being parsed. */
  public static final long DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

  private final String source;
  private final LineParser<T> parser;
  private final Coder<T> coder;
  private final long maxLineBytes;
  private final @Nullable RuleCheck<T> rules;

  private Parse(
      String source,
      LineParser<T> parser,
      Coder<T> coder,
      long maxLineBytes,
      @Nullable RuleCheck<T> rules) {
    this.source = source;
    this.parser = parser;
    this.coder = coder;
    this.maxLineBytes = maxLineBytes;
    this.rules = rules;
  }

  /** Any format: the source name written to dead letters and counters, its parser, its coder. */
  public static <T> Parse<T> of(String source, LineParser<T> parser, Coder<T> coder) {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("source must be named");
    }
    if (parser == null || coder == null) {
      throw new IllegalArgumentException("parser and coder are required");
    }
    return new Parse<>(source, parser, coder, DEFAULT_MAX_LINE_BYTES, null);
  }

  /** Clicks JSON Lines (or Kafka message values) to {@link ClickEvent}. */
  public static Parse<ClickEvent> clicks() {
    return of(Sources.CLICKS, new ClickJsonParser(), SpecificRecordCoder.of(ClickEvent.class));
  }

  /** Sales CSV to {@link Order}. */
  public static Parse<Order> sales() {
    return of(Sources.SALES, new OrderCsvParser(), SpecificRecordCoder.of(Order.class));
  }

  /** Orders topic JSON to {@link Order}. */
  public static Parse<Order> ordersJson() {
    return of(Sources.ORDERS, new OrderJsonParser(), SpecificRecordCoder.of(Order.class));
  }

  /** Profiles CSV to {@link Profile}. */
  public static Parse<Profile> profiles() {
    return of(Sources.PROFILES, new ProfileCsvParser(), SpecificRecordCoder.of(Profile.class));
  }

  /** Promotion responses CSV to {@link PromoResponse}. */
  public static Parse<PromoResponse> responses() {
    return of(
        Sources.RESPONSES,
        new PromoResponseCsvParser(),
        SpecificRecordCoder.of(PromoResponse.class));
  }

  /** The responses topic (the CSV's fields as JSON) to {@link PromoResponse}. */
  public static Parse<PromoResponse> responsesJson() {
    return of(
        Sources.RESPONSES,
        new PromoResponseJsonParser(),
        SpecificRecordCoder.of(PromoResponse.class));
  }

  /** The same transform with another line size limit, in bytes. */
  public Parse<T> withMaxLineBytes(long maxLineBytes) {
    if (maxLineBytes <= 0) {
      throw new IllegalArgumentException("maxLineBytes must be positive, got " + maxLineBytes);
    }
    return new Parse<>(source, parser, coder, maxLineBytes, rules);
  }

  /**
   * The same transform, also checking each parsed record against {@code validate}'s rules in the
   * same step: a record that fails one is a validate dead letter whose raw input is its line as
   * read (a separate Validate step only has the record to show). Counts as Validate does.
   */
  public Parse<T> thenValidate(Validate<T> validate) {
    return new Parse<>(source, parser, coder, maxLineBytes, validate.check());
  }

  /** The line size limit, in bytes. */
  public long maxLineBytes() {
    return maxLineBytes;
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
  public WithFailures.Result<PCollection<T>, DeadLetter> expand(PCollection<byte[]> lines) {
    TupleTag<T> recordsTag = new TupleTag<>();
    TupleTag<DeadLetter> deadLettersTag = new TupleTag<>();
    PCollectionTuple parsed =
        lines.apply(
            "ParseLines",
            ParDo.of(
                    new ParseLineFn<>(
                        source, parser, maxLineBytes, rules, recordsTag, deadLettersTag, null))
                .withOutputTags(recordsTag, TupleTagList.of(deadLettersTag)));
    parsed.get(recordsTag).setCoder(coder);
    parsed.get(deadLettersTag).setCoder(DeadLetters.coder());
    return WithFailures.Result.of(parsed, recordsTag, deadLettersTag);
  }

  /**
   * This parse, also yielding how many records (lines other than header rows, the same lines {@link
   * PipelineMetrics#recordsIn} counts) it read, as one partial count per bundle, so a bounded run
   * can count its input without a second reader of the lines: on Flink's batch runner every further
   * reader of a collection is another encoded copy of each line. For input in the global window
   * (the counts are emitted there when each bundle finishes).
   */
  public PTransform<PCollection<byte[]>, ParseResult<T>> countingRecordsIn() {
    return new CountingRecordsIn<>(this);
  }

  /** {@link #countingRecordsIn}. */
  private static final class CountingRecordsIn<T>
      extends PTransform<PCollection<byte[]>, ParseResult<T>> {
    private final Parse<T> parse;

    CountingRecordsIn(Parse<T> parse) {
      this.parse = parse;
    }

    @Override
    public ParseResult<T> expand(PCollection<byte[]> lines) {
      TupleTag<T> recordsTag = new TupleTag<>("records");
      TupleTag<DeadLetter> deadLettersTag = new TupleTag<>("deadLetters");
      TupleTag<Long> recordsInTag = new TupleTag<>("recordsIn");
      PCollectionTuple parsed =
          lines.apply(
              "ParseLines",
              ParDo.of(
                      new ParseLineFn<>(
                          parse.source,
                          parse.parser,
                          parse.maxLineBytes,
                          parse.rules,
                          recordsTag,
                          deadLettersTag,
                          recordsInTag))
                  .withOutputTags(recordsTag, TupleTagList.of(deadLettersTag).and(recordsInTag)));
      parsed.get(recordsTag).setCoder(parse.coder);
      parsed.get(deadLettersTag).setCoder(DeadLetters.coder());
      parsed.get(recordsInTag).setCoder(VarLongCoder.of());
      return new ParseResult<>(
          recordsTag,
          parsed.get(recordsTag),
          deadLettersTag,
          parsed.get(deadLettersTag),
          recordsInTag,
          parsed.get(recordsInTag));
    }
  }

  private static final class ParseLineFn<T> extends DoFn<byte[], T> {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final LineParser<T> parser;
    private final long maxLineBytes;
    private final @Nullable RuleCheck<T> rules;
    private final TupleTag<T> recordsTag;
    private final TupleTag<DeadLetter> deadLettersTag;
    private final @Nullable TupleTag<Long> recordsInTag;
    private final Counter parsedLines;
    private final Counter headerLines;
    private final Counter recordsIn;
    private transient Map<String, Counter> reasonCounters;

    /** Records in since the bundle started, for {@link #recordsInTag}. */
    private transient long bundleRecordsIn;

    ParseLineFn(
        String source,
        LineParser<T> parser,
        long maxLineBytes,
        @Nullable RuleCheck<T> rules,
        TupleTag<T> recordsTag,
        TupleTag<DeadLetter> deadLettersTag,
        @Nullable TupleTag<Long> recordsInTag) {
      this.source = source;
      this.parser = parser;
      this.maxLineBytes = maxLineBytes;
      this.rules = rules;
      this.recordsTag = recordsTag;
      this.deadLettersTag = deadLettersTag;
      this.recordsInTag = recordsInTag;
      this.parsedLines = Metrics.counter(METRICS_NAMESPACE, source + "." + PARSED);
      this.headerLines = Metrics.counter(METRICS_NAMESPACE, source + "." + HEADER_LINES);
      this.recordsIn = PipelineMetrics.recordsIn(source);
    }

    @ProcessElement
    public void processElement(@Element byte[] raw, MultiOutputReceiver out) {
      if (raw.length > maxLineBytes) {
        countRecordIn();
        String text = Utf8.decodeStrict(raw);
        fail(
            text == null ? Utf8.decodeLenient(raw) : text,
            text == null ? raw : null,
            new ParseFailure(
                Reasons.LINE_TOO_LONG, "line is longer than " + maxLineBytes + " bytes"),
            out);
        return;
      }
      String line = Utf8.decodeStrict(raw);
      if (line == null) {
        countRecordIn();
        fail(
            Utf8.decodeLenient(raw),
            raw,
            new ParseFailure(Reasons.INVALID_UTF8, "line is not valid UTF-8"),
            out);
        return;
      }
      if (parser.isHeader(line)) {
        headerLines.inc();
        return;
      }
      countRecordIn();
      T record;
      try {
        record = parser.parse(line);
      } catch (ParseFailure failure) {
        fail(line, null, failure, out);
        return;
      }
      parsedLines.inc();
      if (rules != null) {
        Rule<T> failed = rules.firstFailure(record);
        if (failed != null) {
          out.get(deadLettersTag).output(rules.deadLetter(record, failed, line));
          return;
        }
      }
      out.get(recordsTag).output(record);
    }

    private void countRecordIn() {
      recordsIn.inc();
      bundleRecordsIn++;
    }

    @StartBundle
    public void startBundle() {
      bundleRecordsIn = 0;
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      if (recordsInTag != null && bundleRecordsIn > 0) {
        context.output(
            recordsInTag,
            bundleRecordsIn,
            GlobalWindow.INSTANCE.maxTimestamp(),
            GlobalWindow.INSTANCE);
      }
      bundleRecordsIn = 0;
    }

    private void fail(
        String line, byte @Nullable [] bytes, ParseFailure failure, MultiOutputReceiver out) {
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
                  bytes,
                  failure.eventTimeMillis()));
    }
  }
}
