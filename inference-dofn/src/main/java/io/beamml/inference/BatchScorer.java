package io.beamml.inference;

import io.beamml.schemas.Contribution;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.features.FeatureVectorizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Collects rows for one deployed model into a preallocated row-major buffer and scores them with
 * one call per batch. Rows are checked and vectorized as they arrive, so a batch holds only rows
 * that can be scored; each row's timestamp, window and pane travel with it to its prediction. This
 * is the whole per-batch scoring path of {@link ScoreFeatures}; it is public so the benchmarks
 * measure the same code. Not thread safe: one per DoFn instance.
 */
public final class BatchScorer {

  /** Receives a batch's results, each with the timestamp, window and pane of its row. */
  public interface Emitter {
    void prediction(Prediction prediction, Instant timestamp, BoundedWindow window, PaneInfo pane);

    void failure(DeadLetter deadLetter, Instant timestamp, BoundedWindow window, PaneInfo pane);
  }

  private final LoadedModel model;
  private final DeployedModel deployment;
  private final FeatureVectorizer vectorizer;
  private final int capacity;
  private final int width;
  private final int topK;

  private final float[] features;
  private final float[] scores;
  private final FeatureRow[] rows;
  private final Instant[] timestamps;
  private final BoundedWindow[] windows;
  private final PaneInfo[] panes;
  private int size;

  private final Counter inferences =
      Metrics.counter(InferenceMetrics.NAMESPACE, InferenceMetrics.INFERENCES);
  private final Counter failures =
      Metrics.counter(InferenceMetrics.NAMESPACE, InferenceMetrics.FAILURES);
  private final Counter predictions;
  private final Distribution batchSize =
      Metrics.distribution(InferenceMetrics.NAMESPACE, InferenceMetrics.BATCH_SIZE);
  private final Distribution batchLatency =
      Metrics.distribution(InferenceMetrics.NAMESPACE, InferenceMetrics.BATCH_LATENCY_MICROS);

  public BatchScorer(LoadedModel model, DeployedModel deployment, int maxBatchSize, int topK) {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("max batch size must be at least 1, got " + maxBatchSize);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("explanations top-k must be 0 (off) or more, got " + topK);
    }
    this.model = model;
    this.deployment = deployment;
    this.vectorizer = model.vectorizer();
    this.capacity = maxBatchSize;
    this.width = model.width();
    this.topK = topK;
    this.features = new float[capacity * width];
    this.scores = new float[capacity];
    this.rows = new FeatureRow[capacity];
    this.timestamps = new Instant[capacity];
    this.windows = new BoundedWindow[capacity];
    this.panes = new PaneInfo[capacity];
    this.predictions =
        Metrics.counter(InferenceMetrics.NAMESPACE, InferenceMetrics.predictions(deployment));
  }

  public DeployedModel deployment() {
    return deployment;
  }

  public int size() {
    return size;
  }

  public boolean isFull() {
    return size == capacity;
  }

  /**
   * Buffers a row for the next batch, or returns the dead letter that refuses it: a spec
   * fingerprint other than the model's, or a feature the model needs that the row lacks. The caller
   * must {@link #flush} when the batch {@link #isFull()}.
   */
  public @Nullable DeadLetter add(
      FeatureRow row, Instant timestamp, BoundedWindow window, PaneInfo pane) {
    if (size == capacity) {
      throw new IllegalStateException("batch is full: flush before adding");
    }
    if (!model.specFingerprint().equals(row.getSpecFingerprint())) {
      return refuse(
          row,
          Reasons.SPEC_MISMATCH,
          "row was computed under feature spec "
              + row.getSpecFingerprint()
              + " but model "
              + deployment.key().name()
              + ":"
              + deployment.key().version()
              + " was trained under "
              + model.specFingerprint());
    }
    int offset = size * width;
    try {
      // Rows computed under the model's spec come in spec order: the fast path checks and fills in
      // one pass.
      vectorizer.fill(row.getFeatures(), features, offset);
    } catch (IllegalArgumentException outOfOrder) {
      List<String> missing = fillByName(row.getFeatures(), offset);
      if (!missing.isEmpty()) {
        return refuse(
            row,
            Reasons.MISSING_FEATURE,
            "row lacks features "
                + missing
                + " that model "
                + deployment.key().name()
                + ":"
                + deployment.key().version()
                + " needs");
      }
    }
    rows[size] = row;
    timestamps[size] = timestamp;
    windows[size] = window;
    panes[size] = pane;
    size++;
    return null;
  }

  /** Lays out a row whose features are not in spec order; returns the names it lacks. */
  private List<String> fillByName(List<FeatureValue> values, int offset) {
    List<String> names = vectorizer.featureNames();
    List<FeatureValue> ordered = new ArrayList<>(names.size());
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      FeatureValue found = null;
      for (FeatureValue v : values) {
        if (name.equals(v.getName())) {
          found = v;
          break;
        }
      }
      if (found == null) {
        missing.add(name);
      } else {
        ordered.add(found);
      }
    }
    if (missing.isEmpty()) {
      vectorizer.fill(ordered, features, offset);
    }
    return missing;
  }

  private DeadLetter refuse(FeatureRow row, String reason, String message) {
    failures.inc();
    return DeadLetters.of(
        Sources.FEATURES, Steps.SCORE, reason, message, row.toString(), row.getEventTime());
  }

  /** Scores the buffered rows with one predict call and hands every row's result to the emitter. */
  public void flush(Emitter emitter) {
    int n = size;
    if (n == 0) {
      return;
    }
    float[][] contributions = null;
    long start = System.nanoTime();
    try {
      model.predict(features, n, scores);
      if (topK > 0) {
        contributions = model.contributions(features, n);
      }
    } catch (ScoringException e) {
      failures.inc(n);
      for (int i = 0; i < n; i++) {
        FeatureRow row = rows[i];
        emitter.failure(
            DeadLetters.of(
                Sources.FEATURES,
                Steps.SCORE,
                Reasons.SCORING_FAILED,
                e.getMessage(),
                row.toString(),
                row.getEventTime()),
            timestamps[i],
            windows[i],
            panes[i]);
      }
      clear(n);
      return;
    }
    batchLatency.update((System.nanoTime() - start) / 1_000);
    batchSize.update(n);
    inferences.inc(n);
    predictions.inc(n);
    String name = deployment.key().name();
    String version = deployment.key().version();
    String variant = deployment.variant();
    List<String> names = vectorizer.featureNames();
    for (int i = 0; i < n; i++) {
      FeatureRow row = rows[i];
      List<Contribution> top =
          contributions == null ? null : TopContributions.of(contributions[i], names, topK);
      Prediction prediction =
          new Prediction(
              row.getEventId(),
              row.getCustomerKey(),
              row.getEventTime(),
              (double) scores[i],
              name,
              version,
              variant,
              row.getSpecFingerprint(),
              top);
      emitter.prediction(prediction, timestamps[i], windows[i], panes[i]);
    }
    clear(n);
  }

  /** Drops buffered rows unscored: for a bundle that failed and will be retried. */
  public void discard() {
    clear(size);
  }

  /** Drops references to flushed rows so they can be collected while the buffer waits. */
  private void clear(int n) {
    Arrays.fill(rows, 0, n, null);
    Arrays.fill(timestamps, 0, n, null);
    Arrays.fill(windows, 0, n, null);
    Arrays.fill(panes, 0, n, null);
    size = 0;
  }
}
