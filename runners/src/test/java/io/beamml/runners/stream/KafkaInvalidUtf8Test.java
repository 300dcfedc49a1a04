package io.beamml.runners.stream;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import io.beamml.pipelines.ingest.Ingest;
import io.beamml.pipelines.ingest.IngestResult;
import io.beamml.pipelines.stream.ReadTopic;
import io.beamml.runners.local.KafkaBrokerResource;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.parse.EventTimes;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.validate.ContractRules;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * A Kafka message that is not valid UTF-8 is a dead letter keeping its bytes, read off a real
 * broker: two customer ids that differ only in an invalid byte do not become one customer.
 */
public class KafkaInvalidUtf8Test {

  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final String CLICK =
      "{\"event_id\":\"E%s\",\"customer_id\":\"C000%s1\",\"event_type\":\"view\","
          + "\"product_id\":\"P1\",\"event_time\":\"2026-01-05T10:00:00Z\",\"session_id\":\"S1\",\"channel\":\"web\"}";

  private static byte[] click(String id, int... customerByte) {
    String[] parts = String.format(CLICK, id, "#").split("#");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(parts[0].getBytes(StandardCharsets.UTF_8));
    for (int b : customerByte) {
      out.write(b);
    }
    out.writeBytes(parts[1].getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  @Test
  public void invalidUtf8MessagesAreDeadLettersWithTheirBytes() {
    List<byte[]> invalid = List.of(click("2", 0xff), click("3", 0xfe));
    List<byte[]> messages = new ArrayList<>(invalid);
    messages.add(click("1", '0'));
    String topic = "clicks-invalid-utf8";
    KAFKA.broker().createTopic(topic, 1);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.broker().bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      messages.forEach(m -> producer.send(new ProducerRecord<>(topic, m)));
      producer.flush();
    }

    HmacKey key = HmacKey.ofBytes("test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    IngestResult<CustomerEvent, ?> clicks =
        pipeline
            .apply(
                ReadTopic.of(
                        KAFKA.broker().bootstrapServers(),
                        topic,
                        EventTimes::clickEventTime,
                        Duration.ZERO)
                    .withMaxRecords(messages.size())
                    .withMaxReadTime(Duration.standardSeconds(60)))
            .apply(Ingest.clicks(key, ContractRules.defaults()));

    PAssert.that(
            clicks
                .records()
                .apply(MapElements.into(TypeDescriptors.strings()).via(CustomerEvent::getEventId)))
        .containsInAnyOrder("E1");
    PAssert.that(clicks.deadLetters())
        .satisfies(
            found -> {
              List<DeadLetter> letters = new ArrayList<>();
              found.forEach(letters::add);
              assertEquals(2, letters.size());
              letters.sort((a, b) -> a.getRaw().compareTo(b.getRaw()));
              for (int i = 0; i < letters.size(); i++) {
                assertEquals(Reasons.INVALID_UTF8, letters.get(i).getReason());
                assertArrayEquals(
                    invalid.get(i), Base64.getDecoder().decode(letters.get(i).getRawBase64()));
              }
              return null;
            });
    pipeline.run().waitUntilFinish();
  }
}
