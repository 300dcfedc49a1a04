package io.beamml.inference;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.ModelIntegrityException;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.testing.TestModels;
import io.beamml.schemas.Contribution;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
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

public class ScoreFeaturesTest {

  @ClassRule public static TemporaryFolder folder = new TemporaryFolder();
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static String root;
  private static Booster champion;
  private static Booster challenger;
  private static List<FeatureRow> rows;

  @BeforeClass
  public static void trainModels() throws Exception {
    root = folder.newFolder("registry").getAbsolutePath();
    rows = TestModels.rows(300, 11);
    champion = TestModels.train(rows, 20, 4);
    challenger = TestModels.train(rows, 8, 2);
  }

  @AfterClass
  public static void dispose() {
    champion.dispose();
    challenger.dispose();
  }

  private static PCollection<FeatureRow> create(Pipeline p, String name, List<FeatureRow> input) {
    return p.apply(name, Create.of(input).withCoder(AvroCoder.specific(FeatureRow.class)));
  }

  private static HashMap<String, Float> expected(Booster booster, List<FeatureRow> input)
      throws Exception {
    float[] scores = TestModels.reference(booster, input);
    HashMap<String, Float> byEvent = new HashMap<>();
    for (int i = 0; i < input.size(); i++) {
      byEvent.put(input.get(i).getEventId(), scores[i]);
    }
    return byEvent;
  }

  @Test
  public void scoresEqualXgboostWhateverTheBatchSize() throws Exception {
    String version = TestModels.register(root, "batches", champion, "json");
    HashMap<String, Float> expected = expected(champion, rows);
    PCollection<FeatureRow> input = create(pipeline, "CreateRows", rows);
    for (int batch : new int[] {1, 7, 512}) {
      WithFailures.Result<PCollection<Prediction>, DeadLetter> scored =
          input.apply(
              "Score" + batch,
              ScoreFeatures.with(root, ModelRef.version("batches", version))
                  .withMaxBatchSize(batch));
      PAssert.that(scored.failures()).empty();
      PAssert.that(scored.output())
          .satisfies(
              predictions -> {
                int n = 0;
                for (Prediction p : predictions) {
                  n++;
                  assertEquals(p.getEventId(), expected.get(p.getEventId()), p.getScore(), 1e-6);
                  assertEquals("batches", p.getModelName());
                  assertEquals(version, p.getModelVersion());
                  assertEquals(DeployedModel.CHAMPION, p.getVariant());
                  assertEquals(TestModels.SPEC.fingerprint(), p.getSpecFingerprint());
                  assertNull(p.getContributions());
                }
                assertEquals(expected.size(), n);
                return null;
              });
    }
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void ubjModelScoresLikeTheJsonOne() throws Exception {
    String version = TestModels.register(root, "ubj", champion, "ubj");
    HashMap<String, Float> expected = expected(champion, rows);
    PCollection<Prediction> scored =
        create(pipeline, "CreateRows", rows)
            .apply("Score", ScoreFeatures.with(root, ModelRef.version("ubj", version)))
            .output();
    PAssert.that(scored)
        .satisfies(
            predictions -> {
              int n = 0;
              for (Prediction p : predictions) {
                n++;
                assertEquals(expected.get(p.getEventId()), p.getScore(), 1e-6);
              }
              assertEquals(expected.size(), n);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void refusedRowsBecomeDeadLettersAndEveryRowLeavesOnce() throws Exception {
    String version = TestModels.register(root, "refusals", champion, "json");
    List<FeatureRow> input = new ArrayList<>(TestModels.rows(20, 21));
    FeatureRow otherSpec =
        FeatureRow.newBuilder(input.get(0))
            .setEventId("other-spec")
            .setSpecFingerprint("ffffffffffffffff")
            .build();
    List<FeatureValue> withoutAge = new ArrayList<>(input.get(1).getFeatures());
    withoutAge.removeIf(v -> v.getName().equals("age"));
    FeatureRow noAge =
        FeatureRow.newBuilder(input.get(1)).setEventId("no-age").setFeatures(withoutAge).build();
    List<FeatureValue> reversed = new ArrayList<>(input.get(2).getFeatures());
    Collections.reverse(reversed);
    reversed.add(new FeatureValue("unused_extra", 1.0, null));
    FeatureRow shuffled =
        FeatureRow.newBuilder(input.get(2)).setEventId("shuffled").setFeatures(reversed).build();
    input.add(otherSpec);
    input.add(noAge);
    input.add(shuffled);
    HashMap<String, Float> expected = expected(champion, input.subList(0, 20));
    expected.put("shuffled", expected.get(input.get(2).getEventId()));

    WithFailures.Result<PCollection<Prediction>, DeadLetter> scored =
        create(pipeline, "CreateRows", input)
            .apply(
                "Score",
                ScoreFeatures.with(root, ModelRef.version("refusals", version))
                    .withMaxBatchSize(4));

    PAssert.that(scored.output())
        .satisfies(
            predictions -> {
              int n = 0;
              for (Prediction p : predictions) {
                n++;
                assertEquals(p.getEventId(), expected.get(p.getEventId()), p.getScore(), 1e-6);
              }
              assertEquals(21, n);
              return null;
            });
    PAssert.that(scored.failures())
        .satisfies(
            failures -> {
              Map<String, DeadLetter> byReason = new HashMap<>();
              for (DeadLetter d : failures) {
                assertNull("one dead letter per reason", byReason.put(d.getReason(), d));
              }
              assertEquals(2, byReason.size());
              DeadLetter mismatch = byReason.get(Reasons.SPEC_MISMATCH);
              assertEquals(Sources.FEATURES, mismatch.getSource());
              assertEquals(Steps.SCORE, mismatch.getStep());
              assertThat(mismatch.getRaw(), containsString("\"event_id\": \"other-spec\""));
              assertThat(mismatch.getMessage(), containsString("ffffffffffffffff"));
              assertEquals(input.get(0).getEventTime(), (long) mismatch.getEventTime());
              DeadLetter missing = byReason.get(Reasons.MISSING_FEATURE);
              assertThat(missing.getRaw(), containsString("\"event_id\": \"no-age\""));
              assertThat(missing.getMessage(), containsString("[age]"));
              return null;
            });

    int heldBefore = ModelCache.size();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    assertEquals("the last DoFn's teardown frees the model", heldBefore, ModelCache.size());
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(InferenceMetrics.NAMESPACE))
                    .build());
    Map<String, Long> counters = new HashMap<>();
    for (MetricResult<Long> c : metrics.getCounters()) {
      counters.merge(c.getName().getName(), c.getAttempted(), Long::sum);
    }
    assertEquals(Long.valueOf(21), counters.get(InferenceMetrics.INFERENCES));
    assertEquals(Long.valueOf(2), counters.get(InferenceMetrics.FAILURES));
    assertEquals(
        Long.valueOf(21),
        counters.get("predictions{model=refusals,version=" + version + ",variant=champion}"));
    Map<String, DistributionResult> distributions = new HashMap<>();
    for (MetricResult<DistributionResult> d : metrics.getDistributions()) {
      distributions.put(d.getName().getName(), d.getAttempted());
    }
    assertEquals(21, distributions.get(InferenceMetrics.BATCH_SIZE).getSum());
    assertTrue(distributions.get(InferenceMetrics.BATCH_SIZE).getMax() <= 4);
    assertNotNull(distributions.get(InferenceMetrics.BATCH_LATENCY_MICROS));
    assertEquals(1, distributions.get(InferenceMetrics.MODEL_LOAD_MILLIS).getCount());
  }

  @Test
  public void predictionsKeepTheirRowsTimestampAndWindow() throws Exception {
    String version = TestModels.register(root, "windows", champion, "json");
    List<FeatureRow> input = new ArrayList<>(TestModels.rows(120, 31));
    List<TimestampedValue<FeatureRow>> timestamped = new ArrayList<>();
    Random random = new Random(5);
    List<String> expected = new ArrayList<>();
    for (FeatureRow row : input) {
      long time = TestModels.BASE_TIME + random.nextInt(10 * 60_000);
      FeatureRow r = FeatureRow.newBuilder(row).setEventTime(time).build();
      timestamped.add(TimestampedValue.of(r, new Instant(time)));
      expected.add(r.getEventId() + "@" + time + " in " + (time - time % 60_000));
    }
    // Out of time order, so a batch mixes windows and later rows come before earlier ones.
    Collections.shuffle(timestamped, random);

    PCollection<String> placed =
        pipeline
            .apply(
                "CreateRows",
                Create.timestamped(timestamped).withCoder(AvroCoder.specific(FeatureRow.class)))
            .apply("WindowByMinute", Window.into(FixedWindows.of(Duration.standardMinutes(1))))
            .apply(
                "Score",
                ScoreFeatures.with(root, ModelRef.version("windows", version)).withMaxBatchSize(7))
            .output()
            .apply("DescribePlacement", ParDo.of(new DescribePlacementFn()));
    PAssert.that(placed).containsInAnyOrder(expected);
    pipeline.run().waitUntilFinish();
  }

  /** Where a prediction landed: its event id, element timestamp and window start. */
  private static final class DescribePlacementFn extends DoFn<Prediction, String> {
    @ProcessElement
    public void process(
        @Element Prediction p, @Timestamp Instant ts, BoundedWindow w, OutputReceiver<String> out) {
      out.output(
          p.getEventId()
              + "@"
              + ts.getMillis()
              + " in "
              + ((IntervalWindow) w).start().getMillis());
    }
  }

  @Test
  public void challengerScoresAStableShareOfCustomers() throws Exception {
    ModelRegistry registry = ModelRegistry.at(root);
    String v1 = TestModels.register(root, "split", champion, "json");
    String v2 = TestModels.register(root, "split", challenger, "json");
    registry.moveAlias("split", "champion", v1, false, "test");
    registry.moveAlias("split", "challenger", v2, false, "test");

    List<FeatureRow> input = new ArrayList<>();
    List<FeatureRow> base = TestModels.rows(1_200, 41);
    for (int i = 0; i < base.size(); i++) {
      // 400 customers with three rows each: every row of a customer must get the same variant.
      input.add(
          FeatureRow.newBuilder(base.get(i))
              .setCustomerKey(base.get(i % 400).getCustomerKey())
              .build());
    }
    HashMap<String, Float> championScores = expected(champion, input);
    HashMap<String, Float> challengerScores = expected(challenger, input);

    ScoreFeatures transform =
        ScoreFeatures.with(root, ModelRef.parse("split@champion"))
            .withChallenger(ModelRef.parse("split@challenger"), 0.3)
            .withMaxBatchSize(64);
    PCollection<Prediction> scored =
        create(pipeline, "CreateRows", input).apply("Score", transform).output();
    // Resolved when the pipeline was built: a later alias move does not change this run.
    registry.moveAlias("split", "champion", v2, false, "moved after construction");

    PAssert.that(scored)
        .satisfies(
            predictions -> {
              Map<String, String> variantOf = new HashMap<>();
              int n = 0;
              int challengers = 0;
              for (Prediction p : predictions) {
                n++;
                String variant = p.getVariant();
                String previous = variantOf.put(p.getCustomerKey(), variant);
                assertTrue("stable per customer", previous == null || previous.equals(variant));
                boolean isChallenger = DeployedModel.CHALLENGER.equals(variant);
                assertEquals(ChampionChallenger.bucket(p.getCustomerKey()) < 0.3, isChallenger);
                assertEquals(isChallenger ? v2 : v1, p.getModelVersion());
                HashMap<String, Float> reference = isChallenger ? challengerScores : championScores;
                assertEquals(reference.get(p.getEventId()), p.getScore(), 1e-6);
                challengers += isChallenger ? 1 : 0;
              }
              assertEquals(1_200, n);
              assertEquals(400, variantOf.size());
              assertEquals(0.3, challengers / 1_200.0, 0.07);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void explanationsAreTheLargestContributionsAndSumToTheMargin() throws Exception {
    String version = TestModels.register(root, "explain", champion, "json");
    List<FeatureRow> input = TestModels.rows(60, 51);
    float[][] full;
    try (LoadedModel model = LoadedModel.load(new ModelKey(root, "explain", version), null)) {
      full = model.contributions(TestModels.matrix(input), input.size());
    }
    float bias = full[0][11];
    HashMap<String, float[]> contributionsByEvent = new HashMap<>();
    for (int i = 0; i < input.size(); i++) {
      contributionsByEvent.put(input.get(i).getEventId(), full[i]);
    }
    List<String> names = TestModels.SPEC.featureNames();
    PCollection<FeatureRow> rowsIn = create(pipeline, "CreateRows", input);

    PCollection<Prediction> all =
        rowsIn
            .apply(
                "ScoreAll",
                ScoreFeatures.with(root, ModelRef.version("explain", version)).withExplanations(11))
            .output();
    PAssert.that(all)
        .satisfies(
            predictions -> {
              for (Prediction p : predictions) {
                assertEquals(11, p.getContributions().size());
                double sum = bias;
                for (Contribution c : p.getContributions()) {
                  sum += c.getValue();
                }
                double margin = Math.log(p.getScore() / (1.0 - p.getScore()));
                assertEquals(p.getEventId(), margin, sum, 1e-4);
              }
              return null;
            });

    PCollection<Prediction> top3 =
        rowsIn
            .apply(
                "ScoreTop3",
                ScoreFeatures.with(root, ModelRef.version("explain", version))
                    .withExplanations(3)
                    .withMaxBatchSize(8))
            .output();
    PAssert.that(top3)
        .satisfies(
            predictions -> {
              int n = 0;
              for (Prediction p : predictions) {
                n++;
                float[] row = contributionsByEvent.get(p.getEventId());
                List<Contribution> top = p.getContributions();
                assertEquals(3, top.size());
                for (int k = 0; k < 3; k++) {
                  Contribution c = top.get(k);
                  assertEquals(row[names.indexOf(c.getFeature())], c.getValue(), 1e-6);
                  if (k > 0) {
                    assertTrue(Math.abs(top.get(k - 1).getValue()) >= Math.abs(c.getValue()));
                  }
                }
                double smallestShown = Math.abs(top.get(2).getValue());
                for (int f = 0; f < 11; f++) {
                  String name = names.get(f);
                  if (top.stream().noneMatch(c -> c.getFeature().equals(name))) {
                    assertTrue(Math.abs(row[f]) <= smallestShown);
                  }
                }
              }
              assertEquals(60, n);
              return null;
            });
    pipeline.run().waitUntilFinish();
  }

  @Test
  public void tamperedModelFailsTheRunWithAClearError() throws Exception {
    String version = TestModels.register(root, "tampered", champion, "json");
    Path file = Path.of(root, "tampered", "versions", version, "model.json");
    Files.writeString(file, Files.readString(file).replace("binary:logistic", "reg:logistic"));
    create(pipeline, "CreateRows", rows.subList(0, 10))
        .apply("Score", ScoreFeatures.with(root, ModelRef.version("tampered", version)));
    Exception e = assertThrows(Exception.class, () -> pipeline.run().waitUntilFinish());
    Throwable cause = e;
    while (cause != null && !(cause instanceof ModelIntegrityException)) {
      cause = cause.getCause();
    }
    assertNotNull("caused by ModelIntegrityException: " + e, cause);
    assertThat(cause.getMessage(), containsString("does not match its registered SHA-256"));
  }

  @Test
  public void constructionChecksTheExpectedSpecAndTheReferences() throws Exception {
    String version = TestModels.register(root, "expected", champion, "json");
    ScoreFeatures ok =
        ScoreFeatures.with(root, ModelRef.version("expected", version))
            .withExpectedSpecFingerprint(TestModels.SPEC.fingerprint());
    assertEquals(version, ok.resolveSelector().models().get(0).key().version());

    IllegalArgumentException wrongSpec =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ScoreFeatures.with(root, ModelRef.version("expected", version))
                    .withExpectedSpecFingerprint("0000000000000000")
                    .resolveSelector());
    assertThat(wrongSpec.getMessage(), containsString("expects 0000000000000000"));

    IllegalArgumentException noAlias =
        assertThrows(
            IllegalArgumentException.class,
            () -> ScoreFeatures.with(root, ModelRef.parse("expected@champion")).resolveSelector());
    assertThat(noAlias.getMessage(), containsString("has no alias champion"));

    assertThrows(IllegalArgumentException.class, () -> ok.withMaxBatchSize(0));
    assertThrows(IllegalArgumentException.class, () -> ok.withExplanations(-1));
    assertThrows(
        IllegalArgumentException.class, () -> ok.withChallenger(ModelRef.parse("expected:1"), 1.5));
  }
}
