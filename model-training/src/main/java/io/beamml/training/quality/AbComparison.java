package io.beamml.training.quality;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Champion against challenger over the same responses' days: the difference in AUC (challenger
 * minus champion) with a 95% confidence interval from DeLong's variances of the two AUCs. The
 * variants score different customers (the split is by customer), so the samples are independent and
 * the variance of the difference is the sum of the two. An interval above zero says the challenger
 * ranks better, below zero the champion; one that holds zero says the data cannot tell them apart
 * yet.
 */
public record AbComparison(
    String scope,
    String modelName,
    String championVersion,
    String challengerVersion,
    QualityMetrics champion,
    QualityMetrics challenger,
    @Nullable Double difference,
    @Nullable Double ciLow,
    @Nullable Double ciHigh) {

  /** The two-sided 95% normal quantile. */
  public static final double Z95 = 1.959963984540054;

  public static final String CHALLENGER_BETTER = "challenger_better";
  public static final String CHAMPION_BETTER = "champion_better";
  public static final String NO_DIFFERENCE = "no_significant_difference";
  public static final String NOT_MEASURABLE = "not_measurable";

  public static AbComparison of(
      String scope,
      String modelName,
      String championVersion,
      ScoreHistogram champion,
      String challengerVersion,
      ScoreHistogram challenger) {
    QualityMetrics a = QualityMetrics.of(champion);
    QualityMetrics b = QualityMetrics.of(challenger);
    if (a.auc() == null || b.auc() == null || a.aucVariance() == null || b.aucVariance() == null) {
      return new AbComparison(
          scope, modelName, championVersion, challengerVersion, a, b, null, null, null);
    }
    double diff = b.auc() - a.auc();
    double half = Z95 * Math.sqrt(a.aucVariance() + b.aucVariance());
    return new AbComparison(
        scope, modelName, championVersion, challengerVersion, a, b, diff, diff - half, diff + half);
  }

  public String verdict() {
    if (difference == null) {
      return NOT_MEASURABLE;
    }
    return ciLow > 0 ? CHALLENGER_BETTER : ciHigh < 0 ? CHAMPION_BETTER : NO_DIFFERENCE;
  }

  public ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode n = mapper.createObjectNode();
    n.put("scope", scope);
    n.put("model_name", modelName);
    n.put("champion_version", championVersion);
    n.put("challenger_version", challengerVersion);
    side(n.putObject("champion"), champion);
    side(n.putObject("challenger"), challenger);
    QualityRow.putNullable(n, "auc_difference", difference);
    QualityRow.putNullable(n, "ci95_low", ciLow);
    QualityRow.putNullable(n, "ci95_high", ciHigh);
    n.put("verdict", verdict());
    return n;
  }

  private static void side(ObjectNode n, QualityMetrics m) {
    n.put("rows", m.rows());
    n.put("positives", m.positives());
    QualityRow.putNullable(n, "auc", m.auc());
    QualityRow.putNullable(
        n, "auc_std_error", m.aucVariance() == null ? null : Math.sqrt(m.aucVariance()));
  }
}
