package io.beamml.pipelines.stream;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producer behind {@link WriteTopic#withExactlyOnce}: Beam's exactly-once sink hands it one
 * batch of records (see {@link BatchRecordsPerBundle}) as one message, and it sends each record of
 * the batch as its own Kafka message with its own key, inside the sink's transaction. Everything
 * else (transactions, the sink group's offsets, fencing) goes to a plain {@link KafkaProducer}.
 */
final class BatchUnpackingProducer implements Producer<String, List<KV<String, String>>> {

  private final Producer<String, String> producer;

  BatchUnpackingProducer(Producer<String, String> producer) {
    this.producer = producer;
  }

  /** What {@code KafkaIO.Write.withProducerFactoryFn} takes: a batch-unpacking Kafka producer. */
  static SerializableFunction<Map<String, Object>, Producer<String, List<KV<String, String>>>>
      factory() {
    return config -> {
      Map<String, Object> strings = new HashMap<>(config);
      strings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      strings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
      return new BatchUnpackingProducer(new KafkaProducer<>(strings));
    };
  }

  @Override
  public Future<RecordMetadata> send(ProducerRecord<String, List<KV<String, String>>> batch) {
    return send(batch, null);
  }

  /**
   * Sends every record of the batch; the future (and callback) are the last record's. A failed
   * record fails the transaction's commit, so no partial batch becomes visible.
   */
  @Override
  public Future<RecordMetadata> send(
      ProducerRecord<String, List<KV<String, String>>> batch, Callback callback) {
    List<KV<String, String>> records = batch.value();
    Future<RecordMetadata> last = null;
    for (int i = 0; i < records.size(); i++) {
      KV<String, String> record = records.get(i);
      ProducerRecord<String, String> message =
          new ProducerRecord<>(
              batch.topic(),
              batch.partition(),
              batch.timestamp(),
              record.getKey(),
              record.getValue(),
              batch.headers());
      last = producer.send(message, i == records.size() - 1 ? callback : null);
    }
    if (last == null) {
      throw new IllegalArgumentException("an empty batch of records for " + batch.topic());
    }
    return last;
  }

  @Override
  public void initTransactions() {
    producer.initTransactions();
  }

  @Override
  public void beginTransaction() {
    producer.beginTransaction();
  }

  @Override
  @SuppressWarnings("deprecation") // Beam 2.70's sink calls this form
  public void sendOffsetsToTransaction(
      Map<TopicPartition, OffsetAndMetadata> offsets, String consumerGroupId) {
    producer.sendOffsetsToTransaction(offsets, consumerGroupId);
  }

  @Override
  public void sendOffsetsToTransaction(
      Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
    producer.sendOffsetsToTransaction(offsets, groupMetadata);
  }

  @Override
  public void commitTransaction() {
    producer.commitTransaction();
  }

  @Override
  public void abortTransaction() {
    producer.abortTransaction();
  }

  @Override
  public void flush() {
    producer.flush();
  }

  @Override
  public List<PartitionInfo> partitionsFor(String topic) {
    return producer.partitionsFor(topic);
  }

  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return producer.metrics();
  }

  @Override
  public Uuid clientInstanceId(Duration timeout) {
    return producer.clientInstanceId(timeout);
  }

  @Override
  public void close() {
    producer.close();
  }

  @Override
  public void close(Duration timeout) {
    producer.close(timeout);
  }

  /**
   * Named as the sink's value serializer only to satisfy {@code KafkaIO.Write}: {@link #factory()}
   * replaces it with Kafka's string serializer, since batches are never sent as such.
   */
  static final class NotSerialized implements Serializer<List<KV<String, String>>> {
    @Override
    public byte[] serialize(String topic, List<KV<String, String>> batch) {
      throw new UnsupportedOperationException(
          "a batch of records is sent record by record through BatchUnpackingProducer");
    }
  }
}
