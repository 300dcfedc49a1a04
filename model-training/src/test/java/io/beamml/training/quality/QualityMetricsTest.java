package io.beamml.training.quality;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;

import io.beamml.training.evaluation.Auc;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.Test;

/** The histogram's metrics against direct computations over the rows, and its exact merging. */
public class QualityMetricsTest {

  /** Scores rounded to 3 decimals, so many ties; labels drawn with the score as probability. */
  static double[][] rows(int n, long seed) {
    Random r = new Random(seed);
    double[] scores = new double[n];
    double[] labels = new double[n];
    for (int i = 0; i < n; i++) {
      scores[i] = Math.round(r.nextDouble() * 1000) / 1000.0;
      labels[i] = r.nextDouble() < scores[i] ? 1 : 0;
    }
    return new double[][] {scores, labels};
  }

  static ScoreHistogram histogram(double[] scores, double[] labels, int from, int to) {
    ScoreHistogram h = new ScoreHistogram();
    for (int i = from; i < to; i++) {
      h.add(scores[i], labels[i] == 1);
    }
    return h;
  }

  @Test
  public void metricsEqualDirectComputations() {
    double[][] d = rows(3000, 11);
    double[] s = d[0];
    double[] y = d[1];
    QualityMetrics m = QualityMetrics.of(histogram(s, y, 0, s.length));

    float[] labels = new float[y.length];
    double logLoss = 0;
    double brier = 0;
    double scoreSum = 0;
    long positives = 0;
    for (int i = 0; i < s.length; i++) {
      labels[i] = (float) y[i];
      double p = Math.min(Math.max(s[i], 1e-15), 1 - 1e-15);
      logLoss -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
      brier += (s[i] - y[i]) * (s[i] - y[i]);
      scoreSum += s[i];
      positives += (long) y[i];
    }
    assertEquals(s.length, m.rows());
    assertEquals(positives, m.positives());
    assertEquals((double) positives / s.length, m.baseRate(), 1e-15);
    assertEquals(scoreSum / s.length, m.meanScore(), 1e-12);
    // training's evaluation AUC: commons-math average ranks
    assertEquals(Auc.of(s, labels), m.auc(), 1e-12);
    assertEquals(logLoss / s.length, m.logLoss(), 1e-12);
    assertEquals(brier / s.length, m.brier(), 1e-12);
    assertEquals(ece(s, y), m.ece(), 1e-12);
    assertEquals(delongByPairs(s, y), m.aucVariance(), 1e-12);
  }

  @Test
  public void mergedPartsEqualTheWhole() throws Exception {
    double[][] d = rows(2000, 5);
    ScoreHistogram whole = histogram(d[0], d[1], 0, 2000);
    ScoreHistogram parts =
        histogram(d[0], d[1], 1500, 2000)
            .merge(histogram(d[0], d[1], 0, 700))
            .merge(histogram(d[0], d[1], 700, 1500));
    assertEquals(whole, parts);
    QualityMetrics a = QualityMetrics.of(whole);
    QualityMetrics b = QualityMetrics.of(parts);
    assertEquals(a.auc(), b.auc());
    assertEquals(a.logLoss(), b.logLoss(), 0.0);
    assertEquals(a.brier(), b.brier(), 0.0);
    assertEquals(a.ece(), b.ece(), 0.0);
    assertNotEquals(whole, histogram(d[0], d[1], 0, 1999));

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ScoreHistogramCoder.of().encode(parts, bytes);
    ScoreHistogram decoded =
        ScoreHistogramCoder.of().decode(new ByteArrayInputStream(bytes.toByteArray()));
    assertEquals(whole, decoded);
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    ScoreHistogramCoder.of().encode(whole, again);
    assertArrayEquals("equal histograms encode alike", bytes.toByteArray(), again.toByteArray());
  }

  @Test
  public void oneClassHasNoAuc() {
    ScoreHistogram h = new ScoreHistogram().add(0.2, false).add(0.7, false);
    QualityMetrics m = QualityMetrics.of(h);
    assertNull(m.auc());
    assertNull(m.aucVariance());
    assertEquals(0.0, m.baseRate(), 0.0);
    assertEquals((0.04 + 0.49) / 2, m.brier(), 1e-15);
  }

  @Test(expected = IllegalArgumentException.class)
  public void refusesANonProbability() {
    new ScoreHistogram().add(1.5, true);
  }

  /** ECE over 10 equal-width bins, as training's calibration table bins them. */
  static double ece(double[] s, double[] y) {
    double[] n = new double[10];
    double[] sum = new double[10];
    double[] pos = new double[10];
    for (int i = 0; i < s.length; i++) {
      int b = Math.min((int) (s[i] * 10), 9);
      n[b]++;
      sum[b] += s[i];
      pos[b] += y[i];
    }
    double e = 0;
    for (int b = 0; b < 10; b++) {
      if (n[b] > 0) {
        e += n[b] / s.length * Math.abs(sum[b] / n[b] - pos[b] / n[b]);
      }
    }
    return e;
  }

  /** DeLong's variance from its definition, over all positive-negative pairs. */
  static double delongByPairs(double[] s, double[] y) {
    int p = 0;
    int q = 0;
    for (double v : y) {
      if (v == 1) {
        p++;
      } else {
        q++;
      }
    }
    double[] v10 = new double[p];
    double[] v01 = new double[q];
    int pi = 0;
    for (int i = 0; i < s.length; i++) {
      if (y[i] != 1) {
        continue;
      }
      double sum = 0;
      for (int j = 0; j < s.length; j++) {
        if (y[j] != 1) {
          sum += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
        }
      }
      v10[pi++] = sum / q;
    }
    int qi = 0;
    for (int j = 0; j < s.length; j++) {
      if (y[j] == 1) {
        continue;
      }
      double sum = 0;
      for (int i = 0; i < s.length; i++) {
        if (y[i] == 1) {
          sum += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
        }
      }
      v01[qi++] = sum / p;
    }
    double auc = 0;
    for (double v : v10) {
      auc += v;
    }
    auc /= p;
    double s10 = 0;
    for (double v : v10) {
      s10 += (v - auc) * (v - auc);
    }
    double s01 = 0;
    for (double v : v01) {
      s01 += (v - auc) * (v - auc);
    }
    return s10 / (p - 1) / p + s01 / (q - 1) / q;
  }
}
