package io.beamml.pipelines.stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.Prediction;
import io.beamml.training.quality.LabelledScore;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.metrics.MetricLabels;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

/**
 * Live quality in the stream on generated responses whose true probabilities are known: the
 * champion (version 1) scores each customer with the truth, the challenger (version 2) is degraded
 * (the truth inverted). Each customer also has an older and a later champion prediction with other
 * scores, which the join must skip. Per day the stream's AUC, log loss, Brier and ECE equal a plain
 * computation over the pairs each response must get; the challenger's days are below its test AUC
 * (the alert's condition, in the records and in the gauges) and the champion's are not. A response
 * within the lateness lands in a late pane of its day, one past it is a dead letter, and one whose
 * customer had no prediction, or none within the score TTL, is unmatched: every response leaves
 * once.
 */
public class StreamQualityTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long DAY = 86_400_000L;
  private static final long HOUR = 3_600_000L;
  private static final long START = java.time.Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
  private static final int PER_DAY = 150;
  private static final double TEST_AUC = 0.70;

  /** A prediction or a response, so one TestStream can order both. */
  record Input(Prediction prediction, LabelledPromo response) implements Serializable {}

  /** What a matched response must be measured with. */
  record Pair(String day, String variant, double score, boolean responded) {}

  private static Prediction prediction(
      String customer, long time, double score, String version, String variant) {
    return Prediction.newBuilder()
        .setEventId(customer + "-" + time + "-" + version)
        .setCustomerKey(customer)
        .setEventTime(time)
        .setScore(score)
        .setModelName("promo")
        .setModelVersion(version)
        .setVariant(variant)
        .setSpecFingerprint("f")
        .build();
  }

  private static TimestampedValue<Input> at(Prediction pr) {
    return TimestampedValue.of(new Input(pr, null), new Instant(pr.getEventTime()));
  }

  private static TimestampedValue<Input> at(LabelledPromo r) {
    return TimestampedValue.of(new Input(null, r), new Instant(r.getSentTime()));
  }

  private static LabelledPromo response(
      String promo, String customer, long sent, boolean responded) {
    return LabelledPromo.newBuilder()
        .setPromoId(promo)
        .setCustomerKey(customer)
        .setSentTime(sent)
        .setResponded(responded ? 1 : 0)
        .build();
  }

  /**
   * Predictions for a customer whose true probability is {@code truth}; the pairs its response must
   * get.
   */
  private static void scoreCustomer(
      String customer,
      long sent,
      double truth,
      boolean responded,
      Random r,
      List<TimestampedValue<Input>> out,
      List<Pair> pairs) {
    out.add(at(prediction(customer, sent - 3 * HOUR, r.nextDouble(), "1", "champion")));
    out.add(at(prediction(customer, sent - HOUR, truth, "1", "champion")));
    out.add(at(prediction(customer, sent + HOUR, r.nextDouble(), "1", "champion")));
    out.add(at(prediction(customer, sent - 2 * HOUR, 1 - truth, "2", "challenger")));
    String day = LabelledScore.day(sent);
    pairs.add(new Pair(day, "champion", truth, responded));
    pairs.add(new Pair(day, "challenger", 1 - truth, responded));
  }

  @Test
  public void dailyQualityEqualsAPlainComputationAndEveryResponseIsAccountedFor() {
    Random r = new Random(11);
    List<Pair> pairs = new ArrayList<>();
    TestStream.Builder<Input> stream =
        TestStream.create(SerializableCoder.of(Input.class))
            .advanceWatermarkTo(new Instant(START - DAY));
    int responses = 0;
    for (int d = 0; d < 3; d++) {
      List<TimestampedValue<Input>> today = new ArrayList<>();
      List<TimestampedValue<Input>> answers = new ArrayList<>();
      for (int i = 0; i < PER_DAY; i++) {
        String customer = "c" + d + "-" + i;
        long sent = START + d * DAY + 3 * HOUR + i * 60_000L;
        double truth = 0.03 + 0.8 * r.nextDouble();
        boolean responded = r.nextDouble() < truth;
        scoreCustomer(customer, sent, truth, responded, r, today, pairs);
        answers.add(at(response("p" + d + "-" + i, customer, sent, responded)));
      }
      if (d == 1) {
        // No prediction for this customer: unmatched.
        answers.add(at(response("nobody", "no-scores", START + DAY + 9 * HOUR, true)));
        answers.add(at(response("stale", "stale", START + DAY + 9 * HOUR, false)));
      }
      if (d == 0) {
        // Scored, but its response comes after the watermark passed its send time plus the
        // lateness.
        scoreCustomer("too-late", START + 10 * HOUR, 0.5, true, r, today, new ArrayList<>());
        // Scored only longer than the score TTL before its response: unmatched.
        today.add(at(prediction("stale", START + DAY + 9 * HOUR - 2 * DAY, 0.4, "1", "champion")));
      }
      if (d == 2) {
        scoreCustomer("late-ok", START + 2 * DAY + 10 * HOUR, 0.9, true, r, today, pairs);
      }
      responses += answers.size();
      stream =
          addAll(addAll(stream, today), answers)
              .advanceWatermarkTo(new Instant(START + (d + 1) * DAY));
    }
    // Day 3 has closed; a response of day 3 inside the one-day lateness reaches a late pane.
    stream =
        stream
            .addElements(at(response("late-ok", "late-ok", START + 2 * DAY + 10 * HOUR, true)))
            .advanceProcessingTime(Duration.standardMinutes(2))
            .advanceWatermarkTo(new Instant(START + 5 * DAY))
            .addElements(at(response("too-late", "too-late", START + 10 * HOUR, true)))
            .advanceProcessingTime(Duration.standardMinutes(2));
    responses += 2;

    PCollection<Input> input = p.apply(stream.advanceWatermarkToInfinity());
    PCollection<Prediction> predictions =
        input
            .apply("Predictions", ParDo.of(new PredictionsFn()))
            .setCoder(AvroCoder.specific(Prediction.class));
    PCollection<LabelledPromo> answers =
        input
            .apply("Responses", ParDo.of(new ResponsesFn()))
            .setCoder(AvroCoder.specific(LabelledPromo.class));

    StreamQuality.Result result =
        answers.apply(
            StreamQuality.of(predictions)
                .withLateness(Duration.standardDays(1))
                .withScoreTtl(Duration.standardDays(1))
                .withLateFiringDelay(Duration.standardMinutes(1))
                .withMinPositives(30)
                .withTestAuc(Map.of("promo:1", TEST_AUC, "promo:2", TEST_AUC)));

    Map<String, Map<String, Double>> expected = expected(pairs);
    PAssert.that(result.records().apply(Values.create()))
        .satisfies(
            records -> {
              Map<String, JsonNode> last = new TreeMap<>();
              boolean latePane = false;
              for (String json : records) {
                JsonNode n = read(json);
                String k = n.get("day").asText() + "/" + n.get("variant").asText();
                if (!last.containsKey(k)
                    || last.get(k).get("pane_index").asLong() < n.get("pane_index").asLong()) {
                  last.put(k, n);
                }
                latePane |= n.get("pane_timing").asText().equals("LATE");
              }
              assertTrue("the late response fires a late pane", latePane);
              assertEquals(expected.keySet(), last.keySet());
              for (Map.Entry<String, JsonNode> e : last.entrySet()) {
                Map<String, Double> want = expected.get(e.getKey());
                JsonNode got = e.getValue();
                assertEquals(e.getKey(), want.get("rows"), got.get("rows").asDouble(), 0);
                assertEquals(e.getKey(), want.get("positives"), got.get("positives").asDouble(), 0);
                assertEquals(e.getKey(), want.get("auc"), got.get("auc").asDouble(), 1e-12);
                assertEquals(
                    e.getKey(), want.get("log_loss"), got.get("log_loss").asDouble(), 1e-12);
                assertEquals(e.getKey(), want.get("brier"), got.get("brier").asDouble(), 1e-12);
                assertEquals(e.getKey(), want.get("ece"), got.get("ece").asDouble(), 1e-12);
                assertEquals(
                    e.getKey(), want.get("mean_score"), got.get("mean_score").asDouble(), 1e-12);
                assertTrue(e.getKey(), got.get("alarmable").asBoolean());
                boolean degraded = e.getKey().endsWith("/challenger");
                assertEquals(
                    e.getKey() + " auc " + want.get("auc"),
                    degraded,
                    got.get("below_test_auc").asBoolean());
              }
              return null;
            });
    PAssert.that(result.matched().unmatched())
        .satisfies(
            rs -> {
              List<String> ids = new ArrayList<>();
              rs.forEach(x -> ids.add(x.getPromoId()));
              ids.sort(null);
              assertEquals(List.of("nobody", "stale"), ids);
              return null;
            });
    PAssert.that(result.deadLetters())
        .satisfies(
            letters -> {
              List<DeadLetter> all = new ArrayList<>();
              letters.forEach(all::add);
              assertEquals(1, all.size());
              DeadLetter l = all.get(0);
              assertEquals(Sources.RESPONSES, l.getSource());
              assertEquals(Steps.QUALITY, l.getStep());
              assertEquals(Reasons.LATE_RESPONSE, l.getReason());
              assertTrue(l.getRaw(), l.getRaw().contains("too-late"));
              return null;
            });
    // Every response leaves once: scored, unmatched or late.
    long scoredExpected = responses - 3;
    PAssert.that(result.matched().scored())
        .satisfies(
            rs -> {
              long n = 0;
              for (LabelledPromo x : rs) {
                n++;
              }
              assertEquals(scoredExpected, n);
              return null;
            });

    PipelineResult run = p.run();
    run.waitUntilFinish();

    MetricQueryResults metrics =
        run.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace("quality"))
                    .build());
    Map<String, Long> gauges = new HashMap<>();
    for (MetricResult<GaugeResult> g : metrics.getGauges()) {
      gauges.put(g.getName().getName(), g.getAttempted().getValue());
    }
    Map<String, Long> counters = new HashMap<>();
    metrics.getCounters().forEach(c -> counters.put(c.getName().getName(), c.getAttempted()));
    assertEquals(
        Long.valueOf(scoredExpected),
        counters.get(MetricLabels.name("responses_matched", "by", LabelledScore.BY_CUSTOMER)));
    assertEquals(Long.valueOf(2), counters.get("responses_unscored"));
    assertEquals(Long.valueOf(1), counters.get("responses_late"));

    // The alert's expression over the gauges: live AUC below test AUC - 0.05 on an alarmable day.
    for (String[] v : new String[][] {{"1", "champion"}, {"2", "challenger"}}) {
      Long auc = gauges.get(scaled("auc", v[0], v[1]));
      Long test = gauges.get(scaled("test_auc", v[0], v[1]));
      Long alarmable =
          gauges.get(
              MetricLabels.name("alarmable", "model", "promo", "version", v[0], "variant", v[1]));
      assertNotNull(gauges.toString(), auc);
      assertEquals(Math.round(TEST_AUC * 1e6), (long) test);
      assertEquals(Long.valueOf(1), alarmable);
      // The gauges show the last day, with the late response in it.
      assertEquals(Math.round(expected.get("2026-01-07/" + v[1]).get("auc") * 1e6), (long) auc);
      boolean below = auc < test - 50_000;
      if (v[1].equals("challenger")) {
        assertTrue("degraded model trips the live-AUC condition", below);
      } else {
        assertFalse("good model does not", below);
      }
    }
  }

  private static final class PredictionsFn extends DoFn<Input, Prediction> {
    @ProcessElement
    public void process(@Element Input in, OutputReceiver<Prediction> out) {
      if (in.prediction() != null) {
        out.output(in.prediction());
      }
    }
  }

  private static final class ResponsesFn extends DoFn<Input, LabelledPromo> {
    @ProcessElement
    public void process(@Element Input in, OutputReceiver<LabelledPromo> out) {
      if (in.response() != null) {
        out.output(in.response());
      }
    }
  }

  private static String scaled(String family, String version, String variant) {
    return MetricLabels.name(
        family,
        "model",
        "promo",
        "version",
        version,
        "variant",
        variant,
        MetricLabels.SCALE,
        "1000000");
  }

  private static TestStream.Builder<Input> addAll(
      TestStream.Builder<Input> b, List<TimestampedValue<Input>> all) {
    return b.addElements(all.get(0), all.subList(1, all.size()).toArray(TimestampedValue[]::new));
  }

  private static JsonNode read(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(json, e);
    }
  }

  /** Per day and variant: the measures computed directly from the pairs, by plain loops. */
  private static Map<String, Map<String, Double>> expected(List<Pair> pairs) {
    Map<String, List<Pair>> groups = new TreeMap<>();
    for (Pair pr : pairs) {
      groups.computeIfAbsent(pr.day() + "/" + pr.variant(), k -> new ArrayList<>()).add(pr);
    }
    Map<String, Map<String, Double>> out = new TreeMap<>();
    groups.forEach(
        (k, list) -> {
          double pos = 0;
          double neg = 0;
          double ranked = 0;
          double logLoss = 0;
          double brier = 0;
          double sum = 0;
          for (Pair a : list) {
            double y = a.responded() ? 1 : 0;
            pos += y;
            neg += 1 - y;
            sum += a.score();
            logLoss -= y * Math.log(a.score()) + (1 - y) * Math.log(1 - a.score());
            brier += (a.score() - y) * (a.score() - y);
            if (a.responded()) {
              for (Pair b : list) {
                if (!b.responded()) {
                  ranked += a.score() > b.score() ? 1 : a.score() == b.score() ? 0.5 : 0;
                }
              }
            }
          }
          double[] binScore = new double[10];
          double[] binPos = new double[10];
          double[] binRows = new double[10];
          for (Pair a : list) {
            int bin = Math.min((int) Math.floor(a.score() * 10), 9);
            binRows[bin]++;
            binScore[bin] += a.score();
            binPos[bin] += a.responded() ? 1 : 0;
          }
          double ece = 0;
          for (int b = 0; b < 10; b++) {
            if (binRows[b] > 0) {
              ece +=
                  binRows[b]
                      / list.size()
                      * Math.abs(binScore[b] / binRows[b] - binPos[b] / binRows[b]);
            }
          }
          int n = list.size();
          out.put(
              k,
              Map.of(
                  "rows",
                  (double) n,
                  "positives",
                  pos,
                  "auc",
                  ranked / (pos * neg),
                  "log_loss",
                  logLoss / n,
                  "brier",
                  brier / n,
                  "ece",
                  ece,
                  "mean_score",
                  sum / n));
        });
    return out;
  }
}
