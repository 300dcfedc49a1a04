package io.beamml.training.quality;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Random;
import org.junit.Test;

public class AbComparisonTest {

  /** Labels drawn from a true probability; the variant scores it with noise of the given weight. */
  private static ScoreHistogram variant(int n, double noise, long seed) {
    Random r = new Random(seed);
    ScoreHistogram h = new ScoreHistogram();
    for (int i = 0; i < n; i++) {
      double truth = r.nextDouble() * 0.5;
      boolean responded = r.nextDouble() < truth;
      double score = (1 - noise) * truth + noise * r.nextDouble() * 0.5;
      h.add(score, responded);
    }
    return h;
  }

  @Test
  public void aBetterChallengerIsToldApartAndTheIntervalIsDeLongs() {
    ScoreHistogram champion = variant(4000, 0.9, 1);
    ScoreHistogram challenger = variant(4000, 0.0, 2);
    AbComparison c = AbComparison.of("pooled", "m", "1", champion, "2", challenger);
    QualityMetrics a = QualityMetrics.of(champion);
    QualityMetrics b = QualityMetrics.of(challenger);
    assertEquals(b.auc() - a.auc(), c.difference(), 1e-15);
    double half = AbComparison.Z95 * Math.sqrt(a.aucVariance() + b.aucVariance());
    assertEquals(c.difference() - half, c.ciLow(), 1e-15);
    assertEquals(c.difference() + half, c.ciHigh(), 1e-15);
    assertEquals(AbComparison.CHALLENGER_BETTER, c.verdict());
    assertEquals(
        AbComparison.CHAMPION_BETTER,
        AbComparison.of("d", "m", "2", challenger, "1", champion).verdict());
  }

  @Test
  public void twoEqualModelsAreNotToldApart() {
    AbComparison c =
        AbComparison.of("d", "m", "1", variant(3000, 0.3, 3), "2", variant(3000, 0.3, 4));
    assertTrue(c.ciLow() < 0 && c.ciHigh() > 0);
    assertEquals(AbComparison.NO_DIFFERENCE, c.verdict());
  }

  @Test
  public void withoutBothClassesThereIsNoVerdict() {
    ScoreHistogram onlyNegatives = new ScoreHistogram().add(0.1, false).add(0.3, false);
    AbComparison c = AbComparison.of("d", "m", "1", onlyNegatives, "2", variant(100, 0, 5));
    assertEquals(AbComparison.NOT_MEASURABLE, c.verdict());
  }

  /**
   * Over many independent repetitions, the 95% interval holds the true difference (zero between two
   * equal models) about 95% of the time: DeLong's variance is neither far too small nor too large.
   */
  @Test
  public void theIntervalCoversAsItShould() {
    int covered = 0;
    int runs = 200;
    for (int i = 0; i < runs; i++) {
      AbComparison c =
          AbComparison.of(
              "d", "m", "1", variant(600, 0.5, 100 + i), "2", variant(600, 0.5, 1000 + i));
      covered += c.ciLow() <= 0 && c.ciHigh() >= 0 ? 1 : 0;
    }
    assertTrue("covered " + covered + " of " + runs, covered >= 180 && covered <= 199);
  }
}
