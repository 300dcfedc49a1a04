package io.beamml.pipelines.stream;

import io.beamml.pipelines.bigquery.BigQuerySinkOptions;
import io.beamml.pipelines.drift.DriftThresholdOptions;
import io.beamml.pipelines.online.OnlineStoreOptions;
import io.beamml.pipelines.options.AvroCodecOptions;
import io.beamml.pipelines.options.HmacKeyOptions;
import io.beamml.pipelines.options.InputOptions;
import io.beamml.pipelines.options.ScoringOptions;
import io.beamml.pipelines.quality.QualityThresholdOptions;
import io.beamml.training.drift.DriftThresholds;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * Flags of {@code ./pipeline stream}: Kafka topics, consumer group and event-time settings, plus
 * the batch runs' profile input, feature spec, line limit and dedup horizon, the model to score
 * with and the pseudonymisation key. The batch event inputs ({@code --clicks}, {@code --sales}) do
 * not apply: events come from the topics.
 *
 * <p>Outputs go where {@code --sink} says (default kafka; see {@link StreamSinks}). The output
 * topic flags also switch the optional outputs on and off for every sink: a blank {@code
 * --auditTopic}, {@code --driftTopic}, {@code --featuresTopic} or {@code --duplicatesTopic} means
 * that output is not made at all. With {@code --onlineStore=redis://...} the deduplicated,
 * pseudonymised events and the profiles also go to the Redis online store that {@code serve} reads.
 * With {@code --responsesTopic} the job also measures live quality ({@link StreamQuality}).
 */
public interface StreamOptions
    extends InputOptions,
        HmacKeyOptions,
        ScoringOptions,
        BigQuerySinkOptions,
        DriftThresholdOptions,
        AvroCodecOptions,
        OnlineStoreOptions,
        QualityThresholdOptions {

  @Description("Kafka bootstrap servers, e.g. localhost:9092")
  @Validation.Required
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description("Topic of click events (the clicks JSON, one event per message)")
  @Default.String("clicks")
  String getClicksTopic();

  void setClicksTopic(String value);

  @Description("Topic of orders (the sales fields as JSON, one order per message)")
  @Default.String("orders")
  String getOrdersTopic();

  void setOrdersTopic(String value);

  @Description(
      "Optional topic of promotion responses (the responses CSV's fields as JSON); empty = no live quality")
  @Default.String("")
  String getResponsesTopic();

  void setResponsesTopic(String value);

  @Description(
      "With --responsesTopic: topic of quality records, one per pane of each day, model version and variant (JSON keyed by name:version/variant); empty = only the beamml_quality_* gauges")
  @Default.String("quality")
  String getQualityTopic();

  void setQualityTopic(String value);

  @Description(
      "How long after the watermark passed its sent_time a response may still be measured, as an ISO-8601 duration; later ones become dead letters (late_response)")
  @Default.String("P7D")
  String getResponseLateness();

  void setResponseLateness(String value);

  @Description(
      "How long before a response's sent_time the customer's latest prediction may be to count as the score it got, as an ISO-8601 duration; without one the response is unmatched")
  @Default.String("P7D")
  String getScoreTtl();

  void setScoreTtl(String value);

  @Description(
      "While late responses arrive, a day's quality is measured again at most this often (processing time), as an ISO-8601 duration")
  @Default.String("PT1M")
  String getQualityRefresh();

  void setQualityRefresh(String value);

  @Description(
      "--sink=kafka: topic the predictions are written to, as JSON keyed by pseudonymised customer")
  @Default.String("predictions")
  String getPredictionsTopic();

  void setPredictionsTopic(String value);

  @Description(
      "--sink=kafka: topic every dead letter is written to, as JSON keyed by its source name")
  @Default.String("dead-letters")
  String getDeadLettersTopic();

  void setDeadLettersTopic(String value);

  @Description(
      "Optional topic for the id of every duplicate event Dedup caught (JSON keyed by event id); empty = only counted")
  @Default.String("")
  String getDuplicatesTopic();

  void setDuplicatesTopic(String value);

  @Description(
      "Optional topic for every feature row scored (JSON keyed by pseudonymised customer); empty = not written")
  @Default.String("")
  String getFeaturesTopic();

  void setFeaturesTopic(String value);

  @Description(
      "Topic of audit records, one per prediction (JSON keyed by pseudonymised customer); empty = no audit records, with any --sink")
  @Default.String("audit")
  String getAuditTopic();

  void setAuditTopic(String value);

  @Description(
      "Topic of drift records, one per drifted feature, statistic and --driftWindow (JSON keyed by feature); empty = no drift check, with any --sink")
  @Default.String("drift")
  String getDriftTopic();

  void setDriftTopic(String value);

  @Description(
      "Event-time window over which the scored feature rows are compared with the champion's training reference, as an ISO-8601 duration")
  @Default.String("PT1H")
  String getDriftWindow();

  void setDriftWindow(String value);

  @Description("A drift window with fewer feature rows than this is measured but flags nothing")
  @Default.Long(DriftThresholds.DEFAULT_MIN_ROWS)
  Long getDriftMinRows();

  void setDriftMinRows(Long value);

  @Description(
      "Output directory for --sink=files, and for --sink=bigquery the dead letters its table rejects and any duplicates (local or any Beam file system)")
  String getOutput();

  void setOutput(String value);

  @Description(
      "--sink=files (and the file outputs of --sink=bigquery): records are written in fixed windows of the time they reach the sink, one set of files per window, as an ISO-8601 duration")
  @Default.String("PT1M")
  String getFileWindow();

  void setFileWindow(String value);

  @Description(
      "--sink=files (and the file outputs of --sink=bigquery): files per window and directory, each written by one worker")
  @Default.Integer(1)
  Integer getFileShards();

  void setFileShards(Integer value);

  @Description(
      "Kafka consumer group; offsets are committed when a checkpoint is finalized, so a restarted job resumes there")
  @Default.String("beamml-stream")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description(
      "exact: features wait for the watermark and equal the backfill's; low_latency: emitted on arrival")
  @Default.Enum("exact")
  FeatureMode getFeatureMode();

  void setFeatureMode(FeatureMode value);

  @Description(
      "How late behind the watermark an event may still be used, as an ISO-8601 duration; later ones become dead letters (late_event)")
  @Default.String("PT30S")
  String getAllowedLateness();

  void setAllowedLateness(String value);

  @Description(
      "How far out of event-time order messages of one partition may arrive before they count as late, as an ISO-8601 duration")
  @Default.String("PT5S")
  String getMaxOutOfOrderness();

  void setMaxOutOfOrderness(String value);

  @Description(
      "How often the scorer re-reads the registry's aliases (NAME@ALIAS models), as an ISO-8601 duration")
  @Default.String("PT10S")
  String getModelRefresh();

  void setModelRefresh(String value);

  @Description(
      "Tests and benchmarks only: stop reading each topic after this long (ISO-8601 duration); makes the run bounded")
  String getMaxReadTime();

  void setMaxReadTime(String value);

  @Description(
      "Tests and benchmarks only: stop reading each topic after this many messages (split evenly over its readers, so pair it with --maxReadTime); makes the run bounded")
  Long getMaxRecords();

  void setMaxRecords(Long value);

  @Description(
      "at_least_once: Kafka outputs written with the idempotent producer, repeated after a restart from a"
          + " checkpoint; exactly_once: Kafka outputs written in transactions committed with each checkpoint (needs"
          + " --checkpointingInterval; read them with isolation.level=read_committed; output appears about one checkpoint"
          + " interval later)")
  @Default.Enum("at_least_once")
  DeliveryGuarantee getDeliveryGuarantee();

  void setDeliveryGuarantee(DeliveryGuarantee value);

  @Description(
      "--deliveryGuarantee=exactly_once: transactional writers (shards) per output topic; each holds a Kafka"
          + " producer and a transaction per checkpoint")
  @Default.Integer(1)
  Integer getExactlyOnceShards();

  void setExactlyOnceShards(Integer value);

  @Description(
      "Start from the consumer group's committed offsets although no --savepointPath is given: the old job's"
          + " dedup memory, feature histories and rows waiting for the watermark are lost. Without it such a start is refused")
  @Default.Boolean(false)
  Boolean getFromOffsets();

  void setFromOffsets(Boolean value);

  /** What a reader of the Kafka outputs sees across failures and restarts. */
  enum DeliveryGuarantee {
    at_least_once,
    exactly_once
  }

  /** How feature rows are emitted (see {@code StreamingCustomerFeatures}). */
  enum FeatureMode {
    exact,
    low_latency
  }
}
