package io.beamml.training.evaluation;

/**
 * How well the true probabilities (known only for synthetic data) rank the same rows: the ceiling a
 * model could reach. Reported beside the model's AUC on exactly the rows that had a truth.
 */
public final class OracleAuc {

  private final double auc;
  private final double modelAuc;
  private final int rows;
  private final int unmatched;

  public OracleAuc(double auc, double modelAuc, int rows, int unmatched) {
    this.auc = auc;
    this.modelAuc = modelAuc;
    this.rows = rows;
    this.unmatched = unmatched;
  }

  /** AUC of the true probabilities. */
  public double auc() {
    return auc;
  }

  /** The model's AUC on the same rows (equal to the test AUC when every row matched). */
  public double modelAuc() {
    return modelAuc;
  }

  /** Rows that had a truth. */
  public int rows() {
    return rows;
  }

  /** Rows without a truth, left out of both AUCs here. */
  public int unmatched() {
    return unmatched;
  }
}
