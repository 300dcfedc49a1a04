package io.beamml.runners.local;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Embedded Flink ({@code --flinkMaster=[local]}) in streaming mode runs a Kafka-to-Kafka job whose
 * read is bounded by a record count, and the job finishes by itself.
 */
public class EmbeddedFlinkKafkaTest {

  static {
    QuietLogs.apply();
  }

  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();

  @Test
  public void streamingJobReadsTransformsAndWritesTopics() {
    int partitions = 2;
    int count = 500;
    KAFKA.broker().createTopic("embedded-in", partitions);
    KAFKA.broker().createTopic("embedded-out", partitions);
    KafkaRecords.produce(
        KAFKA.broker().bootstrapServers(),
        "embedded-in",
        partitions,
        LongStream.range(0, count).mapToObj(UppercaseKind::input).collect(Collectors.toList()));

    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setFlinkMaster("[local]");
    options.setStreaming(true);
    options.setParallelism(2);
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply(
            "ReadInput",
            KafkaIO.<String, String>read()
                .withBootstrapServers(KAFKA.broker().bootstrapServers())
                .withTopic("embedded-in")
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
                .withTopic("embedded-out")
                .withValueSerializer(StringSerializer.class)
                .values());
    PipelineResult.State state = pipeline.run().waitUntilFinish();

    assertThat(state, is(PipelineResult.State.DONE));
    assertThat(
        KafkaRecords.consume(
            KAFKA.broker().bootstrapServers(), "embedded-out", count, Duration.ofSeconds(30)),
        containsInAnyOrder(LongStream.range(0, count).mapToObj(UppercaseKind::expected).toArray()));
  }
}
