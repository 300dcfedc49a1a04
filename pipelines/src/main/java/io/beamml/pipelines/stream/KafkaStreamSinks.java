package io.beamml.pipelines.stream;

import io.beamml.pipelines.io.JsonRecords;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import java.util.List;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code --sink=kafka}: each output to its topic as JSON. Keys: predictions, audit records and
 * feature rows by pseudonymised customer (one customer's records share a partition), drift records
 * by feature, quality records by model version and variant, dead letters by source name, duplicates
 * by event id. With {@code --deliveryGuarantee=exactly_once} every topic is written in Kafka
 * transactions.
 */
final class KafkaStreamSinks extends StreamSinks {

  private final String servers;
  private final String predictionsTopic;
  private final String deadLettersTopic;
  private final String auditTopic;
  private final String driftTopic;
  private final String featuresTopic;
  private final String duplicatesTopic;
  private final String qualityTopic;
  private final boolean exactlyOnce;
  private final int shards;
  private final String sinkGroupPrefix;

  private KafkaStreamSinks(StreamOptions options) {
    this.servers = options.getBootstrapServers();
    this.predictionsTopic = options.getPredictionsTopic();
    this.deadLettersTopic = options.getDeadLettersTopic();
    this.auditTopic = options.getAuditTopic();
    this.driftTopic = options.getDriftTopic();
    this.featuresTopic = options.getFeaturesTopic();
    this.duplicatesTopic = options.getDuplicatesTopic();
    this.qualityTopic = options.getQualityTopic();
    this.exactlyOnce =
        options.getDeliveryGuarantee() == StreamOptions.DeliveryGuarantee.exactly_once;
    this.shards = options.getExactlyOnceShards();
    this.sinkGroupPrefix = options.getConsumerGroup();
  }

  /**
   * Every topic's writer, transactional with {@code --deliveryGuarantee=exactly_once}; its sink
   * group ({@code CONSUMER_GROUP.sink.TOPIC}) is unique per job and topic, as Beam's exactly-once
   * sink needs.
   */
  private <T> WriteTopic<T> write(
      String topic,
      SerializableFunction<T, @Nullable String> key,
      SerializableFunction<T, String> json) {
    WriteTopic<T> write = WriteTopic.of(servers, topic, key, json);
    return exactlyOnce ? write.withExactlyOnce(shards, sinkGroupPrefix + ".sink." + topic) : write;
  }

  static KafkaStreamSinks from(StreamOptions options) {
    return new KafkaStreamSinks(options);
  }

  @Override
  public PCollection<DeadLetter> expand(StreamOutputs outputs) {
    outputs
        .predictions()
        .apply(
            "WritePredictions",
            this.write(predictionsTopic, Prediction::getCustomerKey, JsonRecords.renderer()));
    outputs
        .audit()
        .ifPresent(
            audit ->
                audit.apply(
                    "WriteAuditRecords",
                    this.write(auditTopic, AuditRecord::getCustomerKey, JsonRecords.renderer())));
    outputs
        .drift()
        .ifPresent(
            drift ->
                drift.apply(
                    "WriteDriftRecords",
                    this.write(driftTopic, DriftRecord::getFeature, JsonRecords.renderer())));
    outputs
        .featureRows()
        .ifPresent(
            rows ->
                rows.apply(
                    "WriteFeatureRows",
                    this.write(featuresTopic, FeatureRow::getCustomerKey, JsonRecords.renderer())));
    outputs
        .duplicates()
        .ifPresent(
            duplicates ->
                duplicates.apply(
                    "WriteDuplicates",
                    this.<KV<String, String>>write(duplicatesTopic, KV::getKey, KV::getValue)));
    outputs
        .quality()
        .ifPresent(
            quality ->
                quality.apply(
                    "WriteQualityRecords",
                    this.<KV<String, String>>write(qualityTopic, KV::getKey, KV::getValue)));
    outputs
        .deadLetters()
        .apply(
            "WriteDeadLetters",
            this.write(deadLettersTopic, DeadLetter::getSource, JsonRecords.renderer()));
    return written(List.of(outputs.deadLetters()));
  }
}
