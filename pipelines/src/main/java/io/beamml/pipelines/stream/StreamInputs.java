package io.beamml.pipelines.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.pipelines.ingest.Ingest;
import io.beamml.pipelines.ingest.IngestResult;
import io.beamml.pipelines.io.IsoText;
import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.Order;
import io.beamml.schemas.PromoResponse;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.parse.EventTimes;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.validate.ContractRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * The streaming job's front half: the clicks and orders topics through the same Ingest as the
 * backfill's files (Parse, Validate, event time, Dedup, Pseudonymise), and the profiles, read once
 * from files as a bounded input. Dedup keeps each id in event-time state for the dedup horizon and
 * emits each first copy on arrival, also when {@code --maxReadTime} or {@code --maxRecords} make
 * the topics bounded: the features step after it judges lateness by the watermark. With {@code
 * --responsesTopic}, the promotion responses too, through the batch responses' Ingest (JSON of the
 * CSV's fields; dedup by promo id; stamped with their send time).
 */
public final class StreamInputs {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final PCollection<CustomerEvent> events;
  private final PCollection<CustomerProfile> profiles;
  private final PCollection<DeadLetter> deadLetters;
  private final PCollection<KV<String, String>> duplicates;
  private final @Nullable PCollection<LabelledPromo> responses;

  private StreamInputs(
      PCollection<CustomerEvent> events,
      PCollection<CustomerProfile> profiles,
      PCollection<DeadLetter> deadLetters,
      PCollection<KV<String, String>> duplicates,
      @Nullable PCollection<LabelledPromo> responses) {
    this.events = events;
    this.profiles = profiles;
    this.deadLetters = deadLetters;
    this.duplicates = duplicates;
    this.responses = responses;
  }

  public static StreamInputs read(Pipeline p, StreamOptions options, HmacKey key) {
    if (!isBlank(options.getClicks()) || !isBlank(options.getSales())) {
      throw new IllegalArgumentException(
          "the stream reads events from Kafka (--clicksTopic, --ordersTopic); --clicks and --sales are for batch runs");
    }
    ContractRules rules = ContractRules.defaults();
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();

    IngestResult<CustomerEvent, ClickEvent> clicks =
        p.apply(
                "ReadClicksTopic",
                topic(options, options.getClicksTopic(), EventTimes::clickEventTime))
            .apply(
                "IngestClicks",
                Ingest.clicks(key, rules).configuredBy(options).withDedupOnArrival());
    IngestResult<CustomerEvent, Order> orders =
        p.apply(
                "ReadOrdersTopic",
                topic(options, options.getOrdersTopic(), EventTimes::orderEventTime))
            .apply(
                "IngestOrders",
                Ingest.ordersJson(key, rules).configuredBy(options).withDedupOnArrival());
    deadLetters.add(clicks.deadLetters());
    deadLetters.add(orders.deadLetters());
    IngestResult<LabelledPromo, PromoResponse> responses = null;
    if (!isBlank(options.getResponsesTopic())) {
      responses =
          p.apply(
                  "ReadResponsesTopic",
                  topic(options, options.getResponsesTopic(), EventTimes::responseSentTime))
              .apply(
                  "IngestResponses",
                  Ingest.responsesJson(key, rules).configuredBy(options).withDedupOnArrival());
      deadLetters.add(responses.deadLetters());
    }

    PCollection<CustomerProfile> profiles;
    if (!isBlank(options.getProfiles())) {
      Ingest<?, CustomerProfile> ingestProfiles = Ingest.profiles(key, rules).configuredBy(options);
      IngestResult<CustomerProfile, ?> ingested =
          p.apply("ReadProfiles", ingestProfiles.readFiles(options.getProfiles()))
              .apply("IngestProfiles", ingestProfiles);
      profiles = ingested.records();
      deadLetters.add(ingested.deadLetters());
    } else {
      profiles = p.apply("NoProfiles", Create.empty(AvroCoder.specific(CustomerProfile.class)));
    }

    PCollection<CustomerEvent> events =
        PCollectionList.of(clicks.records())
            .and(orders.records())
            .apply("FlattenEvents", Flatten.pCollections());
    PCollectionList<KV<String, String>> notices =
        PCollectionList.of(
                clicks
                    .duplicates()
                    .apply(
                        "DescribeClickDuplicates",
                        notices(Sources.CLICKS, ClickEvent::getEventId, ClickEvent::getEventTime)))
            .and(
                orders
                    .duplicates()
                    .apply(
                        "DescribeOrderDuplicates",
                        notices(Sources.ORDERS, Order::getOrderId, Order::getOrderTime)));
    if (responses != null) {
      notices =
          notices.and(
              responses
                  .duplicates()
                  .apply(
                      "DescribeResponseDuplicates",
                      notices(
                          Sources.RESPONSES,
                          PromoResponse::getPromoId,
                          PromoResponse::getSentTime)));
    }
    PCollection<KV<String, String>> duplicates =
        notices.apply("FlattenDuplicates", Flatten.pCollections());
    PCollection<DeadLetter> allDeadLetters =
        PCollectionList.of(deadLetters).apply("FlattenIngestDeadLetters", Flatten.pCollections());
    return new StreamInputs(
        events,
        profiles,
        allDeadLetters,
        duplicates,
        responses == null ? null : responses.records());
  }

  private static ReadTopic topic(
      StreamOptions options, String topic, SerializableFunction<String, @Nullable Long> eventTime) {
    ReadTopic read =
        ReadTopic.of(
                options.getBootstrapServers(),
                topic,
                eventTime,
                durationFlag("maxOutOfOrderness", options.getMaxOutOfOrderness()))
            .withConsumerGroup(options.getConsumerGroup());
    if (options.getMaxRecords() != null) {
      read = read.withMaxRecords(options.getMaxRecords());
    }
    if (!isBlank(options.getMaxReadTime())) {
      read = read.withMaxReadTime(durationFlag("maxReadTime", options.getMaxReadTime()));
    }
    return read;
  }

  /**
   * A duplicate as {@code (event id, {"source","event_id","event_time"})}: enough to account for
   * it, without the raw record's customer id.
   */
  private static <R> MapElements<R, KV<String, String>> notices(
      String source, SerializableFunction<R, String> id, SerializableFunction<R, Long> time) {
    return MapElements.into(
            TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
        .via(
            (R record) ->
                KV.of(
                    id.apply(record), duplicateJson(source, id.apply(record), time.apply(record))));
  }

  static String duplicateJson(String source, String eventId, long eventTime) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("source", source);
    node.put("event_id", eventId);
    node.put("event_time", IsoText.instant(eventTime));
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a duplicate notice as JSON", e);
    }
  }

  /** An ISO-8601 duration flag as a Joda duration, naming the flag when it does not parse. */
  static Duration durationFlag(String flag, String value) {
    try {
      return Duration.millis(java.time.Duration.parse(value).toMillis());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--" + flag + " must be an ISO-8601 duration such as PT5S, got '" + value + "'");
    }
  }

  private static boolean isBlank(@Nullable String s) {
    return s == null || s.isBlank();
  }

  /** Pseudonymised clicks and orders, stamped with their event times. */
  public PCollection<CustomerEvent> events() {
    return events;
  }

  /** Pseudonymised profiles (bounded), empty without {@code --profiles}. */
  public PCollection<CustomerProfile> profiles() {
    return profiles;
  }

  /** Parse and validate failures of the topics and the profile files. */
  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
  }

  /**
   * Pseudonymised promotion responses stamped with their send times, with {@code --responsesTopic}.
   */
  public Optional<PCollection<LabelledPromo>> responses() {
    return Optional.ofNullable(responses);
  }

  /** Every copy Dedup caught, as (event id, notice JSON). */
  public PCollection<KV<String, String>> duplicates() {
    return duplicates;
  }
}
