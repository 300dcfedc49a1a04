package io.beamml.benchmarks;

import io.beamml.inference.BatchScorer;
import io.beamml.inference.DeployedModel;
import io.beamml.inference.LoadedModel;
import io.beamml.inference.ModelCache;
import io.beamml.inference.ModelKey;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import java.util.List;
import java.util.function.Consumer;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.joda.time.Instant;

/**
 * The two ways of scoring the same rows with the same model, in batches of the same size: A,
 * XGBoost4J's in-place prediction over rows already laid out as floats; B, the scoring DoFn's
 * per-batch path from feature rows to predictions. Both hand their results to a sink so neither can
 * be optimised away.
 */
final class ScoringWorkload implements AutoCloseable {

  static final int ROWS = 20_000;

  private final List<FeatureRow> rows;
  private final int width;
  private final float[][] batches;
  private final int[] batchRows;
  private final Booster rawBooster;
  private final ModelCache.Lease lease;
  private final BatchScorer scorer;

  ScoringWorkload(String registryRoot, int batchSize) throws Exception {
    rows = BenchmarkData.rows(ROWS, 42);
    width = BenchmarkData.SPEC.featureNames().size();
    ModelRegistry models = ModelRegistry.at(registryRoot);
    String version = models.versions(BenchmarkData.MODEL_NAME).get(0);

    float[] all = BenchmarkData.matrix(rows);
    int count = (ROWS + batchSize - 1) / batchSize;
    batches = new float[count][];
    batchRows = new int[count];
    for (int b = 0; b < count; b++) {
      int n = Math.min(batchSize, ROWS - b * batchSize);
      batchRows[b] = n;
      batches[b] = new float[n * width];
      System.arraycopy(all, b * batchSize * width, batches[b], 0, n * width);
    }
    rawBooster =
        XGBoost.loadModel(
            models.readVerifiedModel(models.metadata(BenchmarkData.MODEL_NAME, version)));
    // The same setting LoadedModel uses, so A and B differ only in the code around predict.
    rawBooster.setParam("nthread", LoadedModel.PREDICT_THREADS);

    ModelKey key = new ModelKey(registryRoot, BenchmarkData.MODEL_NAME, version);
    lease = ModelCache.acquire(key, null);
    scorer =
        new BatchScorer(
            lease.model(), new DeployedModel(key, DeployedModel.CHAMPION), batchSize, 0);
  }

  /** A: in-place prediction of every batch; nothing else. */
  void rawInplacePredict(Consumer<Object> sink) throws XGBoostError {
    for (int b = 0; b < batches.length; b++) {
      sink.accept(rawBooster.inplace_predict(batches[b], batchRows[b], width, Float.NaN));
    }
  }

  /** B: check and vectorize each row, predict each full batch, build its predictions. */
  void scoringDoFnPath(Consumer<Object> sink) {
    BatchScorer.Emitter emitter =
        new BatchScorer.Emitter() {
          @Override
          public void prediction(
              Prediction prediction, Instant timestamp, BoundedWindow window, PaneInfo pane) {
            sink.accept(prediction);
          }

          @Override
          public void failure(
              DeadLetter deadLetter, Instant timestamp, BoundedWindow window, PaneInfo pane) {
            throw new IllegalStateException("benchmark batch failed: " + deadLetter.getMessage());
          }
        };
    Instant timestamp = BoundedWindow.TIMESTAMP_MIN_VALUE;
    for (int i = 0; i < ROWS; i++) {
      DeadLetter refused =
          scorer.add(rows.get(i), timestamp, GlobalWindow.INSTANCE, PaneInfo.NO_FIRING);
      if (refused != null) {
        throw new IllegalStateException("benchmark row refused: " + refused.getReason());
      }
      if (scorer.isFull()) {
        scorer.flush(emitter);
      }
    }
    scorer.flush(emitter);
  }

  @Override
  public void close() {
    rawBooster.dispose();
    lease.close();
  }
}
