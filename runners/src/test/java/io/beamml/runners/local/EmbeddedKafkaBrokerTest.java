package io.beamml.runners.local;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.ClassRule;
import org.junit.Test;

/** The embedded broker is a real Kafka: plain clients and Beam's KafkaIO both talk to it. */
public class EmbeddedKafkaBrokerTest {

  static {
    QuietLogs.apply();
  }

  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();

  @Test
  public void producesAndConsumesWithKafkaClients() {
    assertThat(KAFKA.broker().bootstrapServers(), startsWith("localhost:"));
    KAFKA.broker().createTopic("plain", 3);
    List<String> sent = List.of("a", "b", "c", "d", "e", "f", "g");

    KafkaRecords.produce(KAFKA.broker().bootstrapServers(), "plain", 3, sent);

    List<String> received =
        KafkaRecords.consume(
            KAFKA.broker().bootstrapServers(), "plain", sent.size(), Duration.ofSeconds(30));
    assertThat(received, containsInAnyOrder(sent.toArray()));
  }

  /** An outage keeps the broker's address and data: what was written before is read after. */
  @Test
  public void aStoppedBrokerRestartsOnTheSameAddressWithItsData() {
    KAFKA.broker().createTopic("kept", 1);
    String address = KAFKA.broker().bootstrapServers();
    KafkaRecords.produce(address, "kept", 1, List.of("before"));

    KAFKA.broker().stop();
    KAFKA.broker().restart();
    KafkaRecords.produce(address, "kept", 1, List.of("after"));

    assertThat(KAFKA.broker().bootstrapServers(), is(address));
    assertThat(
        KafkaRecords.consume(address, "kept", 2, Duration.ofSeconds(30)),
        containsInAnyOrder("before", "after"));
  }

  @Test
  public void beamPipelineOnDirectRunnerReadsTransformsAndWritesTopics() {
    int partitions = 2;
    int count = 200;
    KAFKA.broker().createTopic("direct-in", partitions);
    KAFKA.broker().createTopic("direct-out", partitions);
    KafkaRecords.produce(
        KAFKA.broker().bootstrapServers(),
        "direct-in",
        partitions,
        LongStream.range(0, count).mapToObj(UppercaseKind::input).collect(Collectors.toList()));

    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(DirectRunner.class);
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply(
            "ReadInput",
            KafkaIO.<String, String>read()
                .withBootstrapServers(KAFKA.broker().bootstrapServers())
                .withTopic("direct-in")
                .withKeyDeserializer(StringDeserializer.class)
                .withValueDeserializer(StringDeserializer.class)
                .withConsumerConfigUpdates(Map.of("auto.offset.reset", "earliest"))
                .withMaxNumRecords(count)
                .withMaxReadTime(org.joda.time.Duration.standardSeconds(60))
                .withoutMetadata())
        .apply("DropKeys", Values.create())
        .apply(
            "UppercaseKind", MapElements.into(TypeDescriptors.strings()).via(new UppercaseKind()))
        .apply(
            "WriteOutput",
            KafkaIO.<Void, String>write()
                .withBootstrapServers(KAFKA.broker().bootstrapServers())
                .withTopic("direct-out")
                .withValueSerializer(StringSerializer.class)
                .values());
    PipelineResult.State state = pipeline.run().waitUntilFinish();

    assertThat(state, is(PipelineResult.State.DONE));
    List<String> received =
        KafkaRecords.consume(
            KAFKA.broker().bootstrapServers(), "direct-out", count, Duration.ofSeconds(30));
    assertThat(
        received,
        containsInAnyOrder(LongStream.range(0, count).mapToObj(UppercaseKind::expected).toArray()));
  }
}
