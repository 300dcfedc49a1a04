package io.beamml.inference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.testing.TestModels;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A running streaming pipeline follows a champion alias moved in the middle of its input. The
 * Direct runner hands a TestStream's next event over only once everything before it has been
 * processed, so rows before the move are scored, the move happens (and the refresh interval passes)
 * inside the pipeline, and the rows after it are scored: no timing is asserted.
 */
public class AliasRefreshPipelineTest {

  private static final String MODEL = "stream";
  private static final String MARKER = "move-the-alias";
  private static final Duration INTERVAL = Duration.millis(200);

  @ClassRule public static TemporaryFolder folder = new TemporaryFolder();
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static String root;
  private static Booster first;
  private static Booster second;

  @BeforeClass
  public static void trainModels() throws Exception {
    root = folder.newFolder("registry").getAbsolutePath();
    List<FeatureRow> training = TestModels.rows(300, 11);
    first = TestModels.train(training, 20, 4);
    second = TestModels.train(training, 8, 2);
  }

  @AfterClass
  public static void dispose() {
    first.dispose();
    second.dispose();
  }

  private static Map<String, Float> scores(Booster booster, List<FeatureRow> rows)
      throws Exception {
    float[] reference = TestModels.reference(booster, rows);
    Map<String, Float> byEvent = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      byEvent.put(rows.get(i).getEventId(), reference[i]);
    }
    return byEvent;
  }

  /** Adds rows as one TestStream event, each at its event time. */
  private static TestStream.Builder<FeatureRow> add(
      TestStream.Builder<FeatureRow> stream, List<FeatureRow> rows) {
    @SuppressWarnings("unchecked")
    TimestampedValue<FeatureRow>[] rest = new TimestampedValue[rows.size() - 1];
    for (int i = 1; i < rows.size(); i++) {
      rest[i - 1] = timestamped(rows.get(i));
    }
    return stream.addElements(timestamped(rows.get(0)), rest);
  }

  private static TimestampedValue<FeatureRow> timestamped(FeatureRow row) {
    return TimestampedValue.of(row, new Instant(row.getEventTime()));
  }

  @Test
  public void aRunningJobScoresWithTheNewChampionAfterTheAliasMoves() throws Exception {
    ModelRegistry registry = ModelRegistry.at(root);
    String v1 = TestModels.register(root, MODEL, first, "json");
    String v2 = TestModels.register(root, MODEL, second, "json");
    registry.moveAlias(MODEL, "champion", v1, false, "test");

    List<FeatureRow> before = TestModels.rows(60, 81);
    List<FeatureRow> after = TestModels.rows(60, 82);
    List<FeatureRow> all = new ArrayList<>(before);
    all.addAll(after);
    Map<String, Float> firstScores = scores(first, all);
    Map<String, Float> secondScores = scores(second, all);
    FeatureRow marker = FeatureRow.newBuilder(before.get(0)).setEventId(MARKER).build();

    TestStream<FeatureRow> stream =
        add(
                add(TestStream.create(AvroCoder.specific(FeatureRow.class)), before)
                    .addElements(timestamped(marker)),
                after)
            .advanceWatermarkToInfinity();
    WithFailures.Result<PCollection<Prediction>, DeadLetter> scored =
        pipeline
            .apply("StreamRows", stream)
            .apply(
                "MoveAliasAtMarker",
                ParDo.of(new MoveAliasAtMarkerFn(root, MODEL, v2, 3 * INTERVAL.getMillis())))
            .apply(
                "Score",
                ScoreFeatures.with(root, ModelRef.parse(MODEL + "@champion"))
                    .withChallenger(ModelRef.version(MODEL, v1), 0.3)
                    .withMaxBatchSize(8)
                    .withAliasRefresh(INTERVAL));

    PAssert.that(scored.failures()).empty();
    PAssert.that(scored.output())
        .satisfies(
            predictions -> {
              Map<String, Prediction> byEvent = new HashMap<>();
              for (Prediction p : predictions) {
                assertNull("one prediction per row", byEvent.put(p.getEventId(), p));
              }
              assertEquals(all.size(), byEvent.size());
              int challengersAfter = 0;
              for (FeatureRow row : all) {
                Prediction p = byEvent.get(row.getEventId());
                boolean challenger = DeployedModel.CHALLENGER.equals(p.getVariant());
                boolean afterMove = after.contains(row);
                String expected = challenger || !afterMove ? v1 : v2;
                assertEquals(
                    row.getEventId() + " " + p.getVariant(), expected, p.getModelVersion());
                Map<String, Float> reference = expected.equals(v1) ? firstScores : secondScores;
                assertEquals(row.getEventId(), reference.get(row.getEventId()), p.getScore(), 1e-6);
                challengersAfter += challenger && afterMove ? 1 : 0;
              }
              assertTrue(
                  "both variants score after the move",
                  challengersAfter > 0 && challengersAfter < after.size());
              return null;
            });

    int heldBefore = ModelCache.size();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals(
        "every model is freed at teardown, the replaced one included",
        heldBefore,
        ModelCache.size());
    Map<String, Long> counters = new HashMap<>();
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(InferenceMetrics.NAMESPACE))
                    .build())
            .getCounters()) {
      counters.merge(c.getName().getName(), c.getAttempted(), Long::sum);
    }
    assertEquals(Long.valueOf(1), counters.get(InferenceMetrics.MODEL_SWITCHES));
    assertEquals(0L, (long) counters.getOrDefault(InferenceMetrics.ALIAS_REFRESH_FAILURES, 0L));
    assertEquals(0L, (long) counters.getOrDefault(InferenceMetrics.MODEL_SWITCH_FAILURES, 0L));
  }

  @Test
  public void aliasRefreshIsOptInAndOnlyFollowsAliases() throws Exception {
    ModelRegistry registry = ModelRegistry.at(root);
    String v1 = TestModels.register(root, "optin", first, "json");
    registry.moveAlias("optin", "champion", v1, false, "test");
    ScoreFeatures base =
        ScoreFeatures.with(root, ModelRef.parse("optin@champion"))
            .withChallenger(ModelRef.version("optin", v1), 0.5);

    ModelSelector once = base.resolveSelector();
    assertThat(once, instanceOf(ChampionChallenger.class));
    assertNull(once.followedAlias(0));
    assertThat(
        base.withAliasRefresh(Duration.ZERO).resolveSelector(),
        instanceOf(ChampionChallenger.class));

    ModelSelector following = base.withAliasRefresh(Duration.standardSeconds(10)).resolveSelector();
    assertEquals("champion", following.followedAlias(0));
    assertNull("a pinned challenger is not followed", following.followedAlias(1));
    assertEquals(Duration.standardSeconds(10), following.aliasRefreshInterval());
    assertEquals(v1, following.models().get(0).key().version());
    assertEquals(once.select("80000000"), following.select("80000000"));

    ModelSelector pinnedOnly =
        ScoreFeatures.with(root, ModelRef.version("optin", v1))
            .withAliasRefresh(Duration.standardSeconds(10))
            .resolveSelector();
    assertThat(pinnedOnly, instanceOf(ChampionChallenger.class));

    assertThrows(IllegalArgumentException.class, () -> base.withAliasRefresh(Duration.millis(-1)));
    assertThrows(IllegalArgumentException.class, () -> base.withAliasRefresh(null));
  }

  /**
   * Stands in for a promotion during the run: on the marker row it moves the alias and waits longer
   * than the refresh interval; every other row passes through.
   */
  private static final class MoveAliasAtMarkerFn extends DoFn<FeatureRow, FeatureRow> {
    private final String root;
    private final String model;
    private final String toVersion;
    private final long pauseMillis;

    MoveAliasAtMarkerFn(String root, String model, String toVersion, long pauseMillis) {
      this.root = root;
      this.model = model;
      this.toVersion = toVersion;
      this.pauseMillis = pauseMillis;
    }

    @ProcessElement
    public void process(@Element FeatureRow row, OutputReceiver<FeatureRow> out)
        throws InterruptedException {
      if (!MARKER.equals(row.getEventId())) {
        out.output(row);
        return;
      }
      ModelRegistry.at(root)
          .moveAlias(model, "champion", toVersion, false, "promoted while the job runs");
      Thread.sleep(pauseMillis);
    }
  }
}
