package io.beamml.inference;

import io.beamml.schemas.Contribution;
import java.util.ArrayList;
import java.util.List;

/**
 * The k features that moved a score most, by absolute SHAP value: what a reviewer needs to see why
 * a customer was scored high or low, without the full vector on every prediction.
 */
public final class TopContributions {

  private TopContributions() {}

  /**
   * Picks from one row of {@code predictContrib} output (features in spec order, bias last, which
   * is left out); ties keep spec order.
   */
  public static List<Contribution> of(float[] row, List<String> names, int k) {
    int features = names.size();
    int take = Math.min(k, features);
    List<Contribution> top = new ArrayList<>(take);
    boolean[] used = new boolean[features];
    for (int n = 0; n < take; n++) {
      int best = -1;
      for (int i = 0; i < features; i++) {
        if (!used[i] && (best < 0 || Math.abs(row[i]) > Math.abs(row[best]))) {
          best = i;
        }
      }
      used[best] = true;
      top.add(new Contribution(names.get(best), (double) row[best]));
    }
    return top;
  }
}
