package io.beamml.pipelines.ingest;

import io.beamml.pipelines.io.RawRecords;
import io.beamml.pipelines.options.InputOptions;
import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.Order;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import io.beamml.transforms.dedup.Dedup;
import io.beamml.transforms.dedup.DedupResult;
import io.beamml.transforms.parse.Parse;
import io.beamml.transforms.parse.ParseResult;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.pseudonymise.Pseudonymise;
import io.beamml.transforms.validate.ContractRules;
import io.beamml.transforms.validate.Validate;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * One source's path from raw lines, as the bytes read, to pseudonymised records: Parse and Validate
 * (in one step, so a refused record's dead letter holds its line as read), assign event time,
 * Deduplicate by id, Pseudonymise. The backfill and the streaming job both build their inputs from
 * these, so a record is treated the same way whichever door it came in by.
 *
 * @param <R> the parsed record (still holding the raw customer id)
 * @param <T> the pseudonymised record
 */
public final class Ingest<R, T> extends PTransform<PCollection<byte[]>, IngestResult<T, R>> {

  private final Parse<R> parse;
  private final Validate<R> validate;
  private final @Nullable SerializableFunction<R, Long> eventTime;
  private final Dedup<R> dedup;
  private final Pseudonymise<R, T> pseudonymise;

  private Ingest(
      Parse<R> parse,
      Validate<R> validate,
      @Nullable SerializableFunction<R, Long> eventTime,
      Dedup<R> dedup,
      Pseudonymise<R, T> pseudonymise) {
    this.parse = parse;
    this.validate = validate;
    this.eventTime = eventTime;
    this.dedup = dedup;
    this.pseudonymise = pseudonymise;
  }

  public static Ingest<ClickEvent, CustomerEvent> clicks(HmacKey key, ContractRules rules) {
    return new Ingest<>(
        Parse.clicks(),
        Validate.clicks(rules),
        ClickEvent::getEventTime,
        Dedup.byKey(ClickEvent::getEventId),
        Pseudonymise.clicks(key));
  }

  /** Sales dump lines (CSV); each order is one purchase event with its order id as event id. */
  public static Ingest<Order, CustomerEvent> sales(HmacKey key, ContractRules rules) {
    return new Ingest<>(
        Parse.sales(),
        Validate.sales(rules),
        Order::getOrderTime,
        Dedup.byKey(Order::getOrderId),
        Pseudonymise.orders(key));
  }

  /** The orders topic (the sales fields as JSON). */
  public static Ingest<Order, CustomerEvent> ordersJson(HmacKey key, ContractRules rules) {
    return new Ingest<>(
        Parse.ordersJson(),
        Validate.ordersJson(rules),
        Order::getOrderTime,
        Dedup.byKey(Order::getOrderId),
        Pseudonymise.orders(key));
  }

  /** Profiles have no event time; a customer id seen twice is a duplicate. */
  public static Ingest<Profile, CustomerProfile> profiles(HmacKey key, ContractRules rules) {
    return new Ingest<>(
        Parse.profiles(),
        Validate.profiles(rules),
        null,
        Dedup.byKey(Profile::getCustomerId),
        Pseudonymise.profiles(key));
  }

  /** Promotion responses, deduplicated by promo id and timestamped by their send time. */
  public static Ingest<PromoResponse, LabelledPromo> responses(HmacKey key, ContractRules rules) {
    return new Ingest<>(
        Parse.responses(),
        Validate.responses(rules),
        PromoResponse::getSentTime,
        Dedup.byKey(PromoResponse::getPromoId),
        Pseudonymise.responses(key));
  }

  /** The responses topic (the CSV's fields as JSON), treated as the CSV is. */
  public static Ingest<PromoResponse, LabelledPromo> responsesJson(
      HmacKey key, ContractRules rules) {
    return new Ingest<>(
        Parse.responsesJson(),
        Validate.responses(rules),
        PromoResponse::getSentTime,
        Dedup.byKey(PromoResponse::getPromoId),
        Pseudonymise.responses(key));
  }

  public Ingest<R, T> withMaxLineBytes(long maxLineBytes) {
    return new Ingest<>(
        parse.withMaxLineBytes(maxLineBytes), validate, eventTime, dedup, pseudonymise);
  }

  public Ingest<R, T> withDedupHorizon(Duration horizon) {
    return new Ingest<>(parse, validate, eventTime, dedup.withHorizon(horizon), pseudonymise);
  }

  public Ingest<R, T> withDedupShards(int shards) {
    return new Ingest<>(parse, validate, eventTime, dedup.withShards(shards), pseudonymise);
  }

  /** Deduplicates on arrival even when bounded: see {@link Dedup#withEmitOnArrival()}. */
  public Ingest<R, T> withDedupOnArrival() {
    return new Ingest<>(parse, validate, eventTime, dedup.withEmitOnArrival(), pseudonymise);
  }

  /** The same ingest with the line limit and deduplication settings of a run's flags. */
  public Ingest<R, T> configuredBy(InputOptions options) {
    Duration horizon =
        Duration.millis(java.time.Duration.parse(options.getDedupHorizon()).toMillis());
    return withMaxLineBytes(options.getMaxLineBytes())
        .withDedupHorizon(horizon)
        .withDedupShards(OfflineInputs.groupingShards(options));
  }

  public String source() {
    return parse.source();
  }

  /** Whether a raw line, as read, is a header line (not a record) of this source. */
  public boolean isHeader(byte[] line) {
    return parse.parser().isHeader(line);
  }

  /**
   * Reads this source's files as its Parse needs them: CSV records (quoted fields may hold line
   * breaks) or lines, each cut past the line limit.
   */
  public RawRecords readFiles(String glob) {
    return RawRecords.lines(glob)
        .withQuotedLineBreaks(parse.parser().quotedLineBreaks())
        .withMaxRecordBytes(parse.maxLineBytes());
  }

  @Override
  public IngestResult<T, R> expand(PCollection<byte[]> lines) {
    PCollection<R> parsed;
    PCollection<DeadLetter> failures;
    @Nullable PCollection<Long> recordsIn = null;
    if (lines.isBounded() == PCollection.IsBounded.BOUNDED) {
      // The parse counts the records it reads, so the summary's records in needs no second
      // reader of the lines.
      ParseResult<R> valid =
          lines.apply("ParseAndValidate", parse.thenValidate(validate).countingRecordsIn());
      parsed = valid.output();
      failures = valid.failures();
      recordsIn = valid.recordsIn();
    } else {
      WithFailures.Result<PCollection<R>, DeadLetter> valid =
          lines.apply("ParseAndValidate", parse.thenValidate(validate));
      parsed = valid.output();
      failures = valid.failures();
    }
    PCollection<R> timed = parsed;
    if (eventTime != null) {
      SerializableFunction<R, Long> time = eventTime;
      timed = timed.apply("AssignEventTime", WithTimestamps.<R>of(r -> new Instant(time.apply(r))));
      timed.setCoder(parsed.getCoder());
    }
    DedupResult<R> deduped = timed.apply("Deduplicate", dedup.withSource(parse.source()));
    PCollection<T> records = deduped.unique().apply("Pseudonymise", pseudonymise);
    return new IngestResult<>(records, deduped.duplicates(), failures, recordsIn);
  }
}
