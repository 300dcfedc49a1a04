package io.beamml.training.quality;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.beamml.training.evaluation.Auc;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;

/** Daily rows in a stream of daily windows and in one batch window, against direct computations. */
public class MeasureQualityTest {

  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final long DAY1 = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
  private static final long DAY_MILLIS = 86_400_000L;

  /** {@code n} responses on each of two days for the champion and one day for a challenger. */
  private static List<LabelledScore> scores(int n) {
    Random r = new Random(3);
    List<LabelledScore> out = new ArrayList<>();
    for (int day = 0; day < 2; day++) {
      for (int i = 0; i < n; i++) {
        double s = r.nextInt(200) / 200.0;
        out.add(
            new LabelledScore(
                "p" + day + "-" + i,
                "c" + i,
                DAY1 + day * DAY_MILLIS + i * 1000L,
                r.nextDouble() < s,
                s,
                "m",
                "1",
                "champion",
                LabelledScore.BY_CUSTOMER));
      }
    }
    for (int i = 0; i < n / 4; i++) {
      double s = r.nextDouble();
      out.add(
          new LabelledScore(
              "q" + i,
              "d" + i,
              DAY1 + 5000L * i,
              r.nextDouble() < 0.3,
              s,
              "m",
              "2",
              "challenger",
              LabelledScore.BY_PROMO));
    }
    return out;
  }

  /** The AUC of one day and variant, by commons-math ranks. */
  private static double expectedAuc(List<LabelledScore> all, String day, String variant) {
    List<LabelledScore> rows =
        all.stream().filter(s -> s.day().equals(day) && s.variant().equals(variant)).toList();
    double[] scores = rows.stream().mapToDouble(LabelledScore::score).toArray();
    float[] labels = new float[rows.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rows.get(i).responded() ? 1f : 0f;
    }
    return Auc.of(scores, labels);
  }

  @Test
  public void streamGivesOneRowPerDailyWindowAndVariant() {
    List<LabelledScore> all = scores(200);
    TestStream.Builder<LabelledScore> stream =
        TestStream.create(SerializableCoder.of(LabelledScore.class));
    for (int day = 0; day < 2; day++) {
      List<TimestampedValue<LabelledScore>> today = new ArrayList<>();
      for (LabelledScore s : all) {
        if (s.day().equals(LabelledScore.day(DAY1 + day * DAY_MILLIS))) {
          today.add(TimestampedValue.of(s, new org.joda.time.Instant(s.sentTime())));
        }
      }
      stream =
          stream
              .addElements(
                  today.get(0), today.subList(1, today.size()).toArray(TimestampedValue[]::new))
              .advanceWatermarkTo(new org.joda.time.Instant(DAY1 + (day + 1) * DAY_MILLIS + 1));
    }
    PCollection<QualityRow> rows =
        p.apply(stream.advanceWatermarkToInfinity())
            .apply(Window.into(FixedWindows.of(Duration.standardDays(1))))
            .apply(MeasureQuality.daily().withMinPositives(20).withTestAuc(Map.of("m:1", 0.7)));

    IntervalWindow first =
        new IntervalWindow(new org.joda.time.Instant(DAY1), Duration.standardDays(1));
    IntervalWindow second = new IntervalWindow(first.end(), Duration.standardDays(1));
    PAssert.that(rows)
        .inOnTimePane(first)
        .satisfies(
            r -> {
              List<QualityRow> list = new ArrayList<>();
              r.forEach(list::add);
              assertEquals(2, list.size());
              for (QualityRow row : list) {
                assertEquals("2026-01-05", row.key().day());
                assertEquals(
                    expectedAuc(all, "2026-01-05", row.key().variant()),
                    row.metrics().auc(),
                    1e-12);
                if (row.key().variant().equals("champion")) {
                  assertEquals(200, row.metrics().rows());
                  assertEquals(0.7, row.testAuc(), 0.0);
                  assertTrue(row.alarmable());
                } else {
                  assertEquals(50, row.metrics().rows());
                  assertEquals(null, row.testAuc());
                }
              }
              return null;
            });
    PAssert.that(rows)
        .inOnTimePane(second)
        .satisfies(
            r -> {
              QualityRow row = r.iterator().next();
              assertEquals("2026-01-06", row.key().day());
              assertEquals(expectedAuc(all, "2026-01-06", "champion"), row.metrics().auc(), 1e-12);
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void batchGivesOneRowPerDayInTheGlobalWindow() {
    List<LabelledScore> all = scores(100);
    PCollection<QualityRow> rows =
        p.apply(Create.of(all).withCoder(SerializableCoder.of(LabelledScore.class)))
            .apply(MeasureQuality.daily().withMinPositives(1000));
    PAssert.that(rows)
        .satisfies(
            r -> {
              int n = 0;
              for (QualityRow row : r) {
                n++;
                assertEquals(
                    expectedAuc(all, row.key().day(), row.key().variant()),
                    row.metrics().auc(),
                    1e-12);
                assertFalse("too few positives: measured, not alarmable", row.alarmable());
              }
              assertEquals(3, n);
              return null;
            });
    p.run().waitUntilFinish();
  }
}
