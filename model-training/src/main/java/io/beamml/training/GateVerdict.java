package io.beamml.training;

/** The promotion gate's decision and the sentence that explains it. */
public final class GateVerdict {

  private final boolean passed;
  private final String explanation;

  GateVerdict(boolean passed, String explanation) {
    this.passed = passed;
    this.explanation = explanation;
  }

  public boolean passed() {
    return passed;
  }

  public String explanation() {
    return explanation;
  }

  @Override
  public String toString() {
    return (passed ? "passed: " : "refused: ") + explanation;
  }
}
