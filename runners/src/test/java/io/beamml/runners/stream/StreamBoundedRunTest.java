package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;

import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.pipelines.stream.StreamPipeline;
import io.beamml.runners.local.KafkaBrokerResource;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A bounded smoke run ({@code --maxReadTime}) on the Direct runner: the same job reads what the
 * topics hold, scores every event and finishes by itself, with no Flink involved. An event the
 * features step judged late (as all were while a bounded run's dedup emitted behind the watermark)
 * is a dead letter instead of a prediction.
 */
public class StreamBoundedRunTest {

  static {
    StreamJobs.quietLogs();
  }

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();

  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();

  @Test
  public void boundedRunOnTheDirectRunnerScoresEveryEventAndFinishes() throws Exception {
    String registry = WORK.newFolder("registry").toString();
    RegisteredModels.registerChampion(registry, 3);
    Path data = WORK.newFolder("data").toPath();
    DataGenerator.generate(
        GeneratorConfig.of(10, 2, 19)
            .withBadRowRate(0)
            .withDuplicateRate(0)
            .withIncludeOversizedLines(false),
        data);
    List<ReplayEvents.Message> messages = ReplayEvents.load(data);
    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(KAFKA.broker(), "bounded");
    EventFeed.start(
            KAFKA.broker().bootstrapServers(), topics.clicks, topics.orders, messages, 0, true)
        .await(Duration.ofSeconds(60));

    PipelineOptionsFactory.register(StreamOptions.class);
    StreamOptions options =
        PipelineOptionsFactory.fromArgs(
                topics.flags(
                    "--runner=DirectRunner",
                    "--bootstrapServers=" + KAFKA.broker().bootstrapServers(),
                    "--registry=" + registry,
                    "--model=" + RegisteredModels.NAME + "@champion",
                    "--profiles=" + data.resolve("profiles") + "/*.csv",
                    "--consumerGroup=bounded",
                    // One Direct runner thread per topic partition (2 topics x 2), so every
                    // partition is read at once instead of in turns of --maxReadTime each.
                    "--targetParallelism=4",
                    "--maxReadTime=PT20S"))
            .withValidation()
            .as(StreamOptions.class);
    PipelineResult.State state = StreamPipeline.start(options, StreamJobs.KEY).waitUntilFinish();

    assertThat(state, is(PipelineResult.State.DONE));
    try (TopicTail predictions =
        TopicTail.start(KAFKA.broker().bootstrapServers(), topics.predictions)) {
      predictions.awaitCount(messages.size(), Duration.ofSeconds(30));
      assertThat(
          predictions.records().stream()
              .map(r -> StreamLosslessTest.read(r.value()).path("event_id").asText())
              .collect(Collectors.toList()),
          containsInAnyOrder(messages.stream().map(ReplayEvents.Message::id).toArray()));
    }
  }
}
