package io.beamml.training;

import io.beamml.inference.LoadedModel;
import io.beamml.training.data.SplitRows;
import io.beamml.training.data.TrainingSet;
import io.beamml.training.evaluation.Evaluation;
import io.beamml.training.evaluation.MatrixScorer;
import io.beamml.training.evaluation.OracleAuc;
import io.beamml.training.evaluation.TruthFile;
import java.util.LinkedHashMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A model measured on a training set's validation and test splits through the serving scorer
 * ({@link LoadedModel}), so the recorded AUC is the served model's, and the metrics recorded with
 * its registry version (the promotion gate reads test_auc).
 */
public final class ModelEvaluation {

  public static final String TEST_AUC = "test_auc";
  public static final String TEST_LOGLOSS = "test_logloss";
  public static final String VALIDATION_AUC = "validation_auc";
  public static final String VALIDATION_LOGLOSS = "validation_logloss";
  public static final String BASE_RATE = "base_rate";
  public static final String BASELINE_LOGLOSS = "baseline_logloss";
  public static final String ORACLE_AUC = "oracle_auc";
  public static final String ORACLE_MODEL_AUC = "oracle_model_auc";
  public static final String ORACLE_ROWS = "oracle_rows";
  public static final String BEST_ITERATION = "best_iteration";

  private final Evaluation validation;
  private final Evaluation test;

  private ModelEvaluation(Evaluation validation, Evaluation test) {
    this.validation = validation;
    this.test = test;
  }

  /** Scores both splits through the model as serving loads it. */
  public static ModelEvaluation of(LoadedModel model, TrainingSet set, @Nullable TruthFile truth) {
    if (model.width() != set.featureNames().size()) {
      throw new IllegalArgumentException(
          model.key()
              + " scores "
              + model.width()
              + " columns but "
              + set.location()
              + " has "
              + set.featureNames());
    }
    return of((rows, nrow, ncol) -> model.predict(rows, nrow), set, truth);
  }

  /** The AUC of a model on a set's test split, through the serving scorer. */
  public static double testAuc(LoadedModel model, TrainingSet set) {
    if (model.width() != set.featureNames().size()) {
      throw new IllegalArgumentException(
          model.key()
              + " scores "
              + model.width()
              + " columns but "
              + set.location()
              + " has "
              + set.featureNames());
    }
    SplitRows test = set.test();
    return Evaluation.of(model.predict(test.features(), test.rows()), test.labels()).auc();
  }

  /** Scores both splits in one batch each; the oracle is added to the test split when given. */
  public static ModelEvaluation of(
      MatrixScorer scorer, TrainingSet set, @Nullable TruthFile truth) {
    set.requireAllSplits();
    Evaluation validation = evaluate(scorer, set.validation());
    Evaluation test = evaluate(scorer, set.test());
    if (truth != null) {
      test = test.withOracle(truth, set.test().promoIds(), set.test().customerKeys());
    }
    return new ModelEvaluation(validation, test);
  }

  private static Evaluation evaluate(MatrixScorer scorer, SplitRows rows) {
    float[] scores = scorer.score(rows.features(), rows.rows(), rows.columns());
    return Evaluation.of(scores, rows.labels());
  }

  public Evaluation validation() {
    return validation;
  }

  public Evaluation test() {
    return test;
  }

  public Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(TEST_AUC, test.auc());
    m.put(TEST_LOGLOSS, test.logLoss());
    m.put(VALIDATION_AUC, validation.auc());
    m.put(VALIDATION_LOGLOSS, validation.logLoss());
    m.put(BASE_RATE, test.baseRate());
    m.put(BASELINE_LOGLOSS, test.baselineLogLoss());
    OracleAuc oracle = test.oracle();
    if (oracle != null) {
      m.put(ORACLE_AUC, oracle.auc());
      m.put(ORACLE_MODEL_AUC, oracle.modelAuc());
      m.put(ORACLE_ROWS, (double) oracle.rows());
    }
    return m;
  }
}
