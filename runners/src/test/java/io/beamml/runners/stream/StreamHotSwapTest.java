package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.ModelRegistry;
import io.beamml.local.EventFeed;
import io.beamml.local.ReplayEvents;
import io.beamml.local.TopicTail;
import io.beamml.testdata.GeneratorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Moving the champion alias while the job runs changes the model version of later predictions,
 * without a restart: the scorer re-reads the alias every {@code --modelRefresh}.
 */
public class StreamHotSwapTest {

  @ClassRule
  public static final StreamTestBed STREAM =
      StreamTestBed.create()
          .withEvents(
              GeneratorConfig.of(60, 5, 13)
                  .withBadRowRate(0)
                  .withDuplicateRate(0)
                  .withIncludeOversizedLines(false));

  @Test
  public void movingTheChampionAliasSwitchesLaterPredictions() throws Exception {
    String first = RegisteredModels.registerChampion(STREAM.registry(), 1);
    String second = RegisteredModels.register(STREAM.registry(), 2);
    StreamLosslessTest.Topics topics = StreamLosslessTest.Topics.create(STREAM.broker(), "hotswap");
    List<ReplayEvents.Message> messages = ReplayEvents.load(STREAM.data());

    try (TopicTail predictions =
        TopicTail.start(STREAM.broker().bootstrapServers(), topics.predictions)) {
      PipelineResult job =
          StreamJobs.start(
              StreamJobs.options(
                  STREAM.broker(),
                  STREAM.registry(),
                  topics.flags(
                      "--profiles=" + STREAM.data().resolve("profiles") + "/*.csv",
                      "--consumerGroup=hotswap",
                      "--featureMode=low_latency",
                      "--modelRefresh=PT1S")));
      EventFeed feed =
          EventFeed.start(
              STREAM.broker().bootstrapServers(), topics.clicks, topics.orders, messages, 25, true);
      long moved;
      try {
        assertTrue(
            "no predictions before the move", predictions.awaitCount(60, Duration.ofSeconds(90)));
        moved = System.currentTimeMillis();
        ModelRegistry.at(STREAM.registry())
            .moveAlias(RegisteredModels.NAME, "champion", second, false, "hot swap test");
        // Wait for the new version's predictions, not for a time: a loaded machine refreshes late.
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (predictions.records().stream().filter(r -> version(r).equals(second)).count() <= 50
            && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
      } finally {
        feed.close();
        StreamJobs.cancel(job);
      }

      List<TopicTail.Received> all = predictions.records();
      List<String> earlyButNew = versions(all.stream().filter(r -> r.timestamp() < moved), first);
      // A worker switches once, between batches: per customer (one worker's keyed state, one
      // partition, read in offset order), no prediction after one by the new version is by the old.
      Set<String> switchedCustomers = new HashSet<>();
      List<String> backToOld = new ArrayList<>();
      for (TopicTail.Received r : all) {
        String customer = StreamLosslessTest.read(r.value()).path("customer_key").asText();
        if (version(r).equals(second)) {
          switchedCustomers.add(customer);
        } else if (switchedCustomers.contains(customer)) {
          backToOld.add(customer + " scored by " + version(r) + " after " + second);
        }
      }
      long switched = all.stream().filter(r -> version(r).equals(second)).count();
      System.out.printf(
          "hotswap: %d predictions, %d by version %s after the alias moved from %s%n",
          all.size(), switched, second, first);
      assertThat("predictions before the move not by " + first, earlyButNew, empty());
      assertThat("old version after the new one", backToOld, empty());
      assertThat(switched, greaterThan(50L));
    }
  }

  /** Model versions of the predictions that are not {@code expected}. */
  private static List<String> versions(
      java.util.stream.Stream<TopicTail.Received> records, String expected) {
    return records
        .map(StreamHotSwapTest::version)
        .filter(v -> !v.equals(expected))
        .collect(Collectors.toList());
  }

  private static String version(TopicTail.Received r) {
    return StreamLosslessTest.read(r.value()).path("model_version").asText();
  }
}
