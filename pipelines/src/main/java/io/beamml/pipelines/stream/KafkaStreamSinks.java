package io.beamml.pipelines.stream;

import io.beamml.pipelines.io.JsonRecords;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import java.util.List;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code --sink=kafka}: each output to its topic as JSON. Keys: predictions, audit records and
 * feature rows by pseudonymised customer (one customer's records share a partition), drift records
 * by feature, quality records by model version and variant, dead letters by source name,
 * duplicates by event id.
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

  private KafkaStreamSinks(StreamOptions options) {
    this.servers = options.getBootstrapServers();
    this.predictionsTopic = options.getPredictionsTopic();
    this.deadLettersTopic = options.getDeadLettersTopic();
    this.auditTopic = options.getAuditTopic();
    this.driftTopic = options.getDriftTopic();
    this.featuresTopic = options.getFeaturesTopic();
    this.duplicatesTopic = options.getDuplicatesTopic();
    this.qualityTopic = options.getQualityTopic();
  }

  static KafkaStreamSinks from(StreamOptions options) {
    return new KafkaStreamSinks(options);
  }

  @Override
  public PCollection<DeadLetter> expand(StreamOutputs outputs) {
    outputs.predictions().apply("WritePredictions",
        WriteTopic.of(servers, predictionsTopic, Prediction::getCustomerKey, JsonRecords.renderer()));
    outputs.audit().ifPresent(audit -> audit.apply("WriteAuditRecords",
        WriteTopic.of(servers, auditTopic, AuditRecord::getCustomerKey, JsonRecords.renderer())));
    outputs.drift().ifPresent(drift -> drift.apply("WriteDriftRecords",
        WriteTopic.of(servers, driftTopic, DriftRecord::getFeature, JsonRecords.renderer())));
    outputs.featureRows().ifPresent(rows -> rows.apply("WriteFeatureRows",
        WriteTopic.of(servers, featuresTopic, FeatureRow::getCustomerKey, JsonRecords.renderer())));
    outputs.duplicates().ifPresent(duplicates -> duplicates.apply("WriteDuplicates",
        WriteTopic.<KV<String, String>>of(servers, duplicatesTopic, KV::getKey, KV::getValue)));
    outputs.quality().ifPresent(quality -> quality.apply("WriteQualityRecords",
        WriteTopic.<KV<String, String>>of(servers, qualityTopic, KV::getKey, KV::getValue)));
    outputs.deadLetters().apply("WriteDeadLetters",
        WriteTopic.of(servers, deadLettersTopic, DeadLetter::getSource, JsonRecords.renderer()));
    return written(List.of(outputs.deadLetters()));
  }
}
