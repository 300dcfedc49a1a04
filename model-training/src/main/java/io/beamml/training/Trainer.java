package io.beamml.training;

import io.beamml.training.data.SplitRows;
import io.beamml.training.data.TrainingSet;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Trains an XGBoost binary:logistic model on the train split, stopping early when the validation
 * metric has not improved for {@code early_stopping_rounds}. The test split is never seen here.
 *
 * <p>XGBoost4J keeps the rounds after the best one in the booster and its {@code predict} uses them
 * all, so the model is then re-trained for exactly best + 1 rounds with the same seed: the same
 * trees, and a saved model that means the selected one to every scorer.
 */
public final class Trainer {

  /** Java-side switch that keeps XGBoost4J from printing every round to stdout. */
  private static final String VERBOSE_EVAL = "verbose_eval";

  private final TrainingParams params;

  private Trainer(TrainingParams params) {
    this.params = params;
  }

  public static Trainer with(TrainingParams params) {
    return new Trainer(params);
  }

  public TrainingParams params() {
    return params;
  }

  public TrainedModel train(TrainingSet set) {
    if (set.train().rows() == 0 || set.validation().rows() == 0) {
      throw new IllegalArgumentException(
          "training needs train and validation rows (early stopping watches validation), got "
              + set.rowCounts());
    }
    DMatrix train = null;
    DMatrix validation = null;
    Booster first = null;
    try {
      train = matrix(set.train());
      validation = matrix(set.validation());
      Map<String, Object> boosterParams = params.boosterParams();
      boosterParams.put(VERBOSE_EVAL, "false");
      Map<String, DMatrix> watches = new LinkedHashMap<>();
      watches.put("train", train);
      // XGBoost4J stops on the last watch in iteration order: validation must come last.
      watches.put("validation", validation);
      float[][] curves = new float[watches.size()][params.numRound()];
      first =
          XGBoost.train(
              train,
              boosterParams,
              params.numRound(),
              watches,
              curves,
              null,
              null,
              params.earlyStoppingRounds());
      int roundsRun = first.getNumBoostedRound();
      String best = first.getAttr("best_iteration");
      int bestIteration = best == null ? roundsRun - 1 : Integer.parseInt(best);
      float[] validationCurve = Arrays.copyOf(curves[1], roundsRun);
      Booster model = first;
      if (bestIteration + 1 < roundsRun) {
        model =
            XGBoost.train(
                train,
                boosterParams,
                bestIteration + 1,
                new LinkedHashMap<>(),
                null,
                null,
                null,
                0);
        first.dispose();
      }
      first = null;
      // Named columns travel in the saved model: Python and the import check can then see them.
      model.setFeatureNames(set.featureNames().toArray(new String[0]));
      return new TrainedModel(
          model, bestIteration, roundsRun, params.numRound(), params.evalMetric(), validationCurve);
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost training failed: " + e.getMessage(), e);
    } finally {
      if (first != null) {
        first.dispose();
      }
      if (train != null) {
        train.dispose();
      }
      if (validation != null) {
        validation.dispose();
      }
    }
  }

  static DMatrix matrix(SplitRows rows) throws XGBoostError {
    DMatrix m = new DMatrix(rows.features(), rows.rows(), rows.columns(), Float.NaN);
    m.setLabel(rows.labels());
    return m;
  }
}
