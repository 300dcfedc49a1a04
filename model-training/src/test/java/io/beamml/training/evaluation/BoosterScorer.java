package io.beamml.training.evaluation;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Scores with {@link Booster#predict} on one DMatrix per batch (NaN = missing): an independent path
 * beside the served one, for tests that check the recorded metrics.
 */
public final class BoosterScorer implements MatrixScorer {

  private final Booster booster;

  private BoosterScorer(Booster booster) {
    this.booster = booster;
  }

  /** The booster stays owned by the caller. */
  public static BoosterScorer of(Booster booster) {
    return new BoosterScorer(booster);
  }

  @Override
  public float[] score(float[] rows, int nrow, int ncol) {
    if (nrow == 0) {
      return new float[0];
    }
    DMatrix matrix = null;
    try {
      matrix = new DMatrix(rows, nrow, ncol, Float.NaN);
      float[][] predictions = booster.predict(matrix);
      float[] out = new float[nrow];
      for (int i = 0; i < nrow; i++) {
        out[i] = predictions[i][0];
      }
      return out;
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost prediction failed: " + e.getMessage(), e);
    } finally {
      if (matrix != null) {
        matrix.dispose();
      }
    }
  }
}
