package io.beamml.training;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class PromotionGateTest {

  private final PromotionGate gate = PromotionGate.of(0.6, 0.01);

  @Test
  public void refusesBelowTheFloor() {
    GateVerdict v = gate.check("champion", "m:2", 0.59, null, null, "recorded");
    assertFalse(v.passed());
    assertThat(v.explanation(), containsString("m:2 test AUC 0.5900 is below the minimum 0.6000"));
  }

  @Test
  public void refusesADropBeyondTheMarginAndNamesBothAucs() {
    GateVerdict v = gate.check("champion", "m:3", 0.70, "m:2", 0.75, "recorded");
    assertFalse(v.passed());
    assertThat(v.explanation(), containsString("m:3 test AUC 0.7000"));
    assertThat(v.explanation(), containsString("champion m:2 test AUC 0.7500"));
    assertThat(v.explanation(), containsString("0.0500 below"));
  }

  @Test
  public void allowsASmallDropABetterModelAndAFirstHolder() {
    assertTrue(gate.check("champion", "m:3", 0.745, "m:2", 0.75, "recorded").passed());
    assertTrue(gate.check("champion", "m:3", 0.80, "m:2", 0.75, "recorded").passed());
    assertTrue(gate.check("champion", "m:1", 0.65, null, null, "recorded").passed());
    // A holder that was never evaluated leaves only the floor to check.
    assertTrue(gate.check("champion", "m:3", 0.65, "m:2", null, "recorded").passed());
  }

  @Test
  public void refusesAModelWithoutAnAuc() {
    GateVerdict v = gate.check("champion", "m:4", null, "m:2", 0.75, "recorded");
    assertFalse(v.passed());
    assertThat(v.explanation(), containsString("has no test AUC"));
  }
}
