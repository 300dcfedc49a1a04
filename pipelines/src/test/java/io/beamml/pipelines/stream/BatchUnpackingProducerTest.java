package io.beamml.pipelines.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.values.KV;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.Test;

public class BatchUnpackingProducerTest {

  @Test
  public void aBatchBecomesOneMessagePerRecordWithItsOwnKeyInsideTheTransaction() {
    MockProducer<String, String> kafka =
        new MockProducer<>(true, new StringSerializer(), new StringSerializer());
    BatchUnpackingProducer producer = new BatchUnpackingProducer(kafka);
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(
        new ProducerRecord<>(
            "predictions",
            null,
            List.of(KV.of("c1", "{\"a\":1}"), KV.of(null, "{\"b\":2}"), KV.of("c2", "{}"))));
    assertThat(kafka.history().size(), is(0));
    producer.commitTransaction();

    assertThat(
        kafka.history().stream()
            .map(r -> r.topic() + "|" + r.key() + "|" + r.value())
            .collect(Collectors.toList()),
        contains("predictions|c1|{\"a\":1}", "predictions|null|{\"b\":2}", "predictions|c2|{}"));
    assertThat(kafka.transactionCommitted(), is(true));
  }
}
