package io.beamml.runners.serve;

import io.beamml.pipelines.io.JsonRecords;
import io.beamml.schemas.AuditRecord;
import io.beamml.serving.AuditLog;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit records to a Kafka topic as the stream writes them (JSON keyed by the pseudonymised
 * customer), with the idempotent producer. Sends are asynchronous so a request does not wait for
 * the broker; a send that fails is counted and logged (without the record).
 */
public final class KafkaAuditLog implements AuditLog {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaAuditLog.class);

  private final String topic;
  private final KafkaProducer<String, String> producer;
  private final AtomicLong failures = new AtomicLong();

  public KafkaAuditLog(String bootstrapServers, String topic) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.topic = topic;
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
  }

  @Override
  public void write(List<AuditRecord> records) {
    for (AuditRecord r : records) {
      producer.send(
          new ProducerRecord<>(topic, r.getCustomerKey(), JsonRecords.render(r)),
          (metadata, error) -> {
            if (error != null && failures.getAndIncrement() == 0) {
              LOG.warn("Cannot send audit records to topic {}: {}", topic, error.toString());
            }
          });
    }
  }

  /** Sends that failed so far. */
  public long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    producer.close();
  }
}
