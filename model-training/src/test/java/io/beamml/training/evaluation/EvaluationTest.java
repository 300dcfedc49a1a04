package io.beamml.training.evaluation;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class EvaluationTest {

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aucCountsPairsAndHalvesTies() {
    // Pairs (pos, neg): (0.35,0.1)=1 (0.35,0.4)=0 (0.8,0.1)=1 (0.8,0.4)=1 -> 3/4.
    assertEquals(
        0.75, Auc.of(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, new float[] {0, 0, 1, 1}), 1e-12);
    // A positive tied with a negative counts one half: pairs 1 + 0.5 + 1 + 1 = 3.5 of 4.
    assertEquals(
        0.875, Auc.of(new float[] {0.1f, 0.5f, 0.5f, 0.8f}, new float[] {0, 0, 1, 1}), 1e-12);
    assertEquals(
        0.5, Auc.of(new float[] {0.3f, 0.3f, 0.3f, 0.3f}, new float[] {0, 1, 0, 1}), 1e-12);
    assertEquals(1.0, Auc.of(new float[] {0.1f, 0.2f, 0.7f}, new float[] {0, 0, 1}), 1e-12);
    assertEquals(0.0, Auc.of(new float[] {0.9f, 0.2f}, new float[] {0, 1}), 1e-12);
  }

  @Test
  public void aucNeedsBothClasses() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Auc.of(new float[] {0.1f, 0.2f}, new float[] {1, 1}));
    assertThat(e.getMessage(), containsString("both classes"));
  }

  @Test
  public void rankAucEqualsTheAreaUnderTheRocCurveWithTies() {
    Random r = new Random(5);
    int n = 2000;
    float[] s = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextDouble() < 0.3 ? 1 : 0;
      // Coarse scores force many ties.
      s[i] = Math.round((0.3 * y[i] + 0.7 * r.nextDouble()) * 20) / 20f;
    }
    Evaluation e = Evaluation.of(s, y);
    List<RocPoint> roc = e.roc();
    double area = 0;
    for (int i = 1; i < roc.size(); i++) {
      RocPoint a = roc.get(i - 1);
      RocPoint b = roc.get(i);
      area +=
          (b.falsePositiveRate() - a.falsePositiveRate())
              * (a.truePositiveRate() + b.truePositiveRate())
              / 2;
    }
    assertEquals(e.auc(), area, 1e-9);
    assertEquals(0.0, roc.get(0).falsePositiveRate(), 0);
    assertEquals(1.0, roc.get(roc.size() - 1).falsePositiveRate(), 0);
    assertEquals(1.0, roc.get(roc.size() - 1).truePositiveRate(), 0);
    assertTrue(e.auc() > 0.6);
  }

  @Test
  public void logLossBaseRateAndCalibration() {
    float[] s = {0.05f, 0.15f, 0.15f, 0.95f, 1.0f};
    float[] y = {0, 0, 1, 1, 1};
    Evaluation e = Evaluation.of(s, y);
    double expected =
        -(Math.log(1 - 0.05f)
                + Math.log(1 - 0.15f)
                + Math.log(0.15f)
                + Math.log(0.95f)
                + Math.log(1 - 1e-15))
            / 5;
    assertEquals(expected, e.logLoss(), 1e-7);
    assertEquals(0.6, e.baseRate(), 1e-12);
    assertEquals(-(0.6 * Math.log(0.6) + 0.4 * Math.log(0.4)), e.baselineLogLoss(), 1e-12);

    List<CalibrationBin> bins = e.calibration();
    assertEquals(10, bins.size());
    assertEquals(1, bins.get(0).count());
    assertEquals(2, bins.get(1).count());
    assertEquals(0.15, bins.get(1).meanPredicted(), 1e-6);
    assertEquals(0.5, bins.get(1).observedRate(), 1e-12);
    // 0.95 and 1.0 both fall in the last, closed bin.
    assertEquals(2, bins.get(9).count());
    assertEquals(0, bins.get(5).count());
    assertTrue(Double.isNaN(bins.get(5).meanPredicted()));
    assertEquals(5, bins.stream().mapToLong(CalibrationBin::count).sum());
    assertThat(e.calibrationTable(), containsString("[0.9, 1.0]"));
  }

  @Test
  public void oracleAucUsesTheTrueProbabilitiesOfTheSameRows() throws Exception {
    Path truth = tmp.newFile("truth.csv").toPath();
    // Raw customer ids differ from any key: the join is by promo id only.
    Files.writeString(
        truth,
        "promo_id,customer_id,probability\np1,raw-a,0.9\np2,raw-b,0.1\np3,raw-c,0.8\np4,raw-d,0.2\nother,raw-e,0.5\n");
    float[] scores = {0.2f, 0.6f, 0.7f, 0.1f};
    float[] labels = {1, 0, 1, 0};
    Evaluation plain = Evaluation.of(scores, labels);
    assertNull(plain.oracle());

    Evaluation e =
        plain.withOracle(
            TruthFile.read(truth.toString()),
            new String[] {"p1", "p2", "p3", "p4"},
            new String[] {"k1", "k2", "k3", "k4"});

    OracleAuc oracle = e.oracle();
    assertNotNull(oracle);
    assertEquals(1.0, oracle.auc(), 1e-12);
    assertEquals(plain.auc(), oracle.modelAuc(), 1e-12);
    assertEquals(4, oracle.rows());
    assertEquals(0, oracle.unmatched());
  }

  @Test
  public void aKeyedTruthJoinsOnPromoAndCustomerKey() throws Exception {
    Path truth = tmp.newFile("keyed-truth.csv").toPath();
    Files.writeString(truth, "promo_id,customer_id,probability\np1,raw-a,0.9\np2,raw-b,0.1\n");
    HmacKey key = HmacKey.ofBytes("evaluation-test-key-0123".getBytes(StandardCharsets.UTF_8));
    Pseudonymiser pseudonyms = new Pseudonymiser(key);
    Evaluation plain = Evaluation.of(new float[] {0.8f, 0.3f}, new float[] {1, 0});
    String[] promos = {"p1", "p2"};
    String[] rightKeys = {pseudonyms.pseudonym("raw-a"), pseudonyms.pseudonym("raw-b")};

    assertEquals(
        2,
        plain
            .withOracle(TruthFile.read(truth.toString()).keyedBy(key), promos, rightKeys)
            .oracle()
            .rows());
    // Same promo ids, other customers: by promo id alone they would join, keyed they must not.
    assertEquals(
        2,
        plain
            .withOracle(TruthFile.read(truth.toString()), promos, new String[] {"x", "y"})
            .oracle()
            .rows());
    IllegalArgumentException ex =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                plain.withOracle(
                    TruthFile.read(truth.toString()).keyedBy(key),
                    promos,
                    new String[] {"x", "y"}));
    assertThat(ex.getMessage(), containsString("matches none"));
  }

  @Test
  public void oracleRefusesATruthFileThatMatchesNothing() throws Exception {
    Path truth = tmp.newFile("truth.csv").toPath();
    Files.writeString(truth, "x1,c,0.5\n");
    Evaluation e = Evaluation.of(new float[] {0.2f, 0.6f}, new float[] {0, 1});
    IllegalArgumentException ex =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                e.withOracle(
                    TruthFile.read(truth.toString()),
                    new String[] {"p1", "p2"},
                    new String[] {"k1", "k2"}));
    assertThat(ex.getMessage(), containsString("matches none"));
  }

  @Test
  public void truthFileRefusesConflictingProbabilitiesForOnePromo() throws Exception {
    Path truth = tmp.newFile("truth.csv").toPath();
    Files.writeString(truth, "p1,a,0.5\np1,b,0.7\n");
    IllegalArgumentException ex =
        assertThrows(IllegalArgumentException.class, () -> TruthFile.read(truth.toString()));
    assertThat(ex.getMessage(), containsString("two probabilities"));
  }

  @Test
  public void refusesScoresThatAreNotProbabilities() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Evaluation.of(new float[] {1.5f, 0.2f}, new float[] {1, 0}));
    assertThrows(
        IllegalArgumentException.class,
        () -> Evaluation.of(new float[] {Float.NaN, 0.2f}, new float[] {1, 0}));
  }
}
