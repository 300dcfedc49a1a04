package io.beamml.training.drift;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.Test;

public class DriftStatisticsTest {

  @Test
  public void psiOfIdenticalSharesIsZero() {
    double[] shares = {0.1, 0.2, 0.3, 0.4, 0.0};
    assertEquals(0.0, DriftStatistics.psi(shares, shares), 0);
  }

  @Test
  public void psiMatchesTheFormula() {
    // (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5)
    double expected = 0.25 * Math.log(2) + 0.25 * Math.log(1.5);
    assertEquals(
        expected, DriftStatistics.psi(new double[] {0.5, 0.5}, new double[] {0.25, 0.75}), 1e-12);
    assertEquals(0.2747, expected, 1e-4);
  }

  @Test
  public void anEmptyBinCountsAsEpsilonNotInfinity() {
    double[] reference = {0.5, 0.5, 0.0};
    double[] current = {0.5, 0.4, 0.1};
    double e = DriftStatistics.EPSILON;
    double expected = (0.4 - 0.5) * Math.log(0.4 / 0.5) + (0.1 - e) * Math.log(0.1 / e);
    assertEquals(expected, DriftStatistics.psi(reference, current), 1e-12);
    assertTrue(Double.isFinite(DriftStatistics.psi(current, reference)));
  }

  @Test
  public void proportionsShareTheTotal() {
    assertArrayEquals(
        new double[] {0.25, 0.75, 0}, DriftStatistics.proportions(new long[] {1, 3, 0}), 0);
    assertArrayEquals(new double[] {0, 0}, DriftStatistics.proportions(new long[] {0, 0}), 0);
  }

  @Test
  public void sameDistributionGivesSmallPsiAndAHighKsPValue() {
    double[] a = normal(2000, 0, 1);
    double[] b = normal(2000, 0, 2);
    double psi = psiOverQuantileBins(a, b);
    DriftStatistics.Ks ks = DriftStatistics.ks(a, b);
    assertTrue("PSI " + psi, psi < 0.02);
    assertTrue("KS p " + ks.pValue(), ks.pValue() > 0.05);
    assertTrue(
        "KS D " + ks.statistic(),
        ks.statistic() < DriftStatistics.ksCriticalStatistic(0.01, 2000, 2000));
  }

  @Test
  public void aMeanShiftRaisesPsiAboveTheThresholdAndKsFindsIt() {
    double[] a = normal(2000, 0, 1);
    double[] b = normal(2000, 0.6, 2);
    double psi = psiOverQuantileBins(a, b);
    DriftStatistics.Ks ks = DriftStatistics.ks(a, b);
    assertTrue("PSI " + psi, psi > DriftThresholds.DEFAULT_PSI);
    assertTrue("KS p " + ks.pValue(), ks.pValue() < 1e-10);
    // Two unit normals 0.6 apart: the CDFs are furthest apart at 0.3, by 2 Phi(0.3) - 1 = 0.236.
    assertEquals(0.236, ks.statistic(), 0.04);
  }

  @Test
  public void ksHandlesTiesInDiscreteData() {
    double[] a = new double[600];
    for (int i = 0; i < a.length; i++) {
      a[i] = i % 6;
    }
    double[] shuffled = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      shuffled[i] = a[a.length - 1 - i];
    }
    DriftStatistics.Ks same = DriftStatistics.ks(a, shuffled);
    assertEquals(0.0, same.statistic(), 1e-12);
    assertEquals(1.0, same.pValue(), 1e-9);
    double[] up = new double[600];
    for (int i = 0; i < up.length; i++) {
      up[i] = a[i] + 1;
    }
    // Shifting 0..5 to 1..6 moves one sixth of the mass past every step of the CDF.
    assertEquals(1.0 / 6, DriftStatistics.ks(a, up).statistic(), 1e-12);
  }

  @Test
  public void ksCriticalStatisticMatchesKolmogorovsDistribution() {
    // Known quantiles of the limiting distribution: 1.6276 at 0.01, 1.3581 at 0.05.
    assertEquals(
        1.6276 * Math.sqrt(2.0 / 1000),
        DriftStatistics.ksCriticalStatistic(0.01, 1000, 1000),
        1e-4);
    assertEquals(
        1.3581 * Math.sqrt((2000.0 + 500) / (2000.0 * 500)),
        DriftStatistics.ksCriticalStatistic(0.05, 2000, 500),
        1e-4);
    double d = DriftStatistics.ksCriticalStatistic(0.01, 2000, 300);
    assertEquals(0.01, new KolmogorovSmirnovTest().approximateP(d, 2000, 300), 1e-6);
  }

  @Test
  public void ksNeedsValuesOnBothSides() {
    assertThrows(
        IllegalArgumentException.class, () -> DriftStatistics.ks(new double[0], new double[] {1}));
  }

  @Test
  public void quantileEdgesMergeEqualCutPoints() {
    double[] counts = new double[600];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = i % 6;
    }
    Arrays.sort(counts);
    assertArrayEquals(
        new double[] {0, 1, 2, 3, 4, 5}, ReferenceProfile.quantileEdges(counts, 10), 0);
    double[] uniform = new double[1000];
    for (int i = 0; i < uniform.length; i++) {
      uniform[i] = i;
    }
    assertArrayEquals(
        new double[] {99, 199, 299, 399, 499, 599, 699, 799, 899},
        ReferenceProfile.quantileEdges(uniform, 10),
        0);
    assertEquals(0, ReferenceProfile.quantileEdges(new double[0], 10).length);
  }

  private static double psiOverQuantileBins(double[] reference, double[] current) {
    double[] sorted = reference.clone();
    Arrays.sort(sorted);
    double[] edges = ReferenceProfile.quantileEdges(sorted, 10);
    FeatureReference bins =
        new FeatureReference(
            "x", FeatureReference.Kind.numeric, edges, null, new double[edges.length + 2], 0, null);
    long[] ref = new long[bins.bins()];
    long[] cur = new long[bins.bins()];
    for (double v : reference) {
      ref[bins.bin((float) v)]++;
    }
    for (double v : current) {
      cur[bins.bin((float) v)]++;
    }
    return DriftStatistics.psi(DriftStatistics.proportions(ref), DriftStatistics.proportions(cur));
  }

  private static double[] normal(int n, double mean, long seed) {
    Random r = new Random(seed);
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = mean + r.nextGaussian();
    }
    return values;
  }
}
