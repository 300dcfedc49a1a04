package io.beamml.inference;

import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.features.FeatureSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Scores feature rows in batches with models held once per JVM by {@link ModelCache}. A row is
 * routed by the {@link ModelSelector} to its slot's {@link BatchScorer}; a full batch is scored at
 * once, the rest when the bundle finishes. A slot that follows an alias looks for a newer version
 * only when it opens a batch (see {@link ModelSlot}), so every batch is scored by the version it
 * started with and each prediction names that version. Every prediction keeps its row's timestamp,
 * window and pane, even when its batch is scored while a later row is being processed: Beam forbids
 * output timestamps earlier than the current input's there, so such results wait for
 * {@code @FinishBundle}, where any timestamp of the bundle may be emitted.
 */
final class ScoreFn extends DoFn<FeatureRow, Prediction> {

  private final ModelSelector selector;
  private final @Nullable FeatureSpec pipelineSpec;
  private final @Nullable String expectedSpecFingerprint;
  private final int maxBatchSize;
  private final int topK;
  private final TupleTag<Prediction> predictionsTag;
  private final TupleTag<DeadLetter> failuresTag;

  private transient ModelSlot[] slots;
  private transient ProcessEmitter processEmitter;
  private final Counter failures =
      Metrics.counter(InferenceMetrics.NAMESPACE, InferenceMetrics.FAILURES);

  ScoreFn(
      ModelSelector selector,
      @Nullable FeatureSpec pipelineSpec,
      @Nullable String expectedSpecFingerprint,
      int maxBatchSize,
      int topK,
      TupleTag<Prediction> predictionsTag,
      TupleTag<DeadLetter> failuresTag) {
    this.selector = selector;
    this.pipelineSpec = pipelineSpec;
    this.expectedSpecFingerprint = expectedSpecFingerprint;
    this.maxBatchSize = maxBatchSize;
    this.topK = topK;
    this.predictionsTag = predictionsTag;
    this.failuresTag = failuresTag;
  }

  @Setup
  public void setup() {
    List<DeployedModel> models = selector.models();
    long intervalMillis = selector.aliasRefreshInterval().getMillis();
    LongSupplier clock = System::currentTimeMillis;
    slots = new ModelSlot[models.size()];
    processEmitter = new ProcessEmitter();
    try {
      for (int i = 0; i < models.size(); i++) {
        DeployedModel model = models.get(i);
        String alias = selector.followedAlias(i);
        AliasFollower follower =
            alias == null
                ? null
                : AliasFollower.shared(
                    model.key().registryRoot(), model.key().name(), alias, model.key().version());
        slots[i] =
            ModelSlot.open(
                model,
                follower,
                intervalMillis,
                clock,
                pipelineSpec,
                expectedSpecFingerprint,
                maxBatchSize,
                topK);
      }
    } catch (RuntimeException e) {
      teardown();
      throw e;
    }
  }

  @StartBundle
  public void startBundle() {
    // A bundle that failed is retried elsewhere: nothing it buffered may leak into this one.
    for (ModelSlot slot : slots) {
      slot.scorer().discard();
      // Loads made in @Setup, and anything a failed bundle left, are reported here.
      slot.reportMetrics();
    }
    processEmitter.discardParked();
    // The refusals counter exists at 0 from the first bundle on, so its rate reads 0, not nothing.
    failures.inc(0);
  }

  @ProcessElement
  public void processElement(
      @Element FeatureRow row,
      @Timestamp Instant timestamp,
      BoundedWindow window,
      PaneInfo pane,
      MultiOutputReceiver out) {
    BatchScorer scorer = slots[selector.select(row.getCustomerKey())].scorerForRow();
    DeadLetter refused = scorer.add(row, timestamp, window, pane);
    if (refused != null) {
      out.get(failuresTag).output(refused);
      return;
    }
    if (scorer.isFull()) {
      processEmitter.start(out, timestamp);
      scorer.flush(processEmitter);
      processEmitter.finish();
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    processEmitter.emitParked(context);
    BatchScorer.Emitter emitter =
        new BatchScorer.Emitter() {
          @Override
          public void prediction(
              Prediction p, Instant timestamp, BoundedWindow window, PaneInfo pane) {
            context.output(predictionsTag, p, timestamp, window);
          }

          @Override
          public void failure(
              DeadLetter d, Instant timestamp, BoundedWindow window, PaneInfo pane) {
            context.output(failuresTag, d, timestamp, window);
          }
        };
    for (ModelSlot slot : slots) {
      slot.scorer().flush(emitter);
      slot.reportMetrics();
    }
  }

  @Teardown
  public void teardown() {
    if (slots != null) {
      for (ModelSlot slot : slots) {
        if (slot != null) {
          slot.close();
        }
      }
      slots = null;
    }
  }

  /**
   * Emits a batch from inside {@code @ProcessElement}, where the current element is a later row:
   * each result goes out with its own row's timestamp, window and pane; a result whose row is older
   * than the current input is parked until the bundle finishes.
   */
  private final class ProcessEmitter implements BatchScorer.Emitter {
    private @Nullable MultiOutputReceiver out;
    private @Nullable OutputReceiver<Prediction> predictions;
    private @Nullable Instant current;
    private @Nullable BoundedWindow lastWindow;
    private Collection<BoundedWindow> lastWindows = Collections.emptyList();
    private final List<Parked<Prediction>> parkedPredictions = new ArrayList<>();
    private final List<Parked<DeadLetter>> parkedFailures = new ArrayList<>();

    void start(MultiOutputReceiver receiver, Instant currentTimestamp) {
      out = receiver;
      predictions = receiver.get(predictionsTag);
      current = currentTimestamp;
    }

    void finish() {
      out = null;
      predictions = null;
      current = null;
    }

    @Override
    public void prediction(Prediction p, Instant timestamp, BoundedWindow window, PaneInfo pane) {
      if (timestamp.isBefore(current)) {
        parkedPredictions.add(new Parked<>(p, timestamp, window));
      } else {
        predictions.outputWindowedValue(p, timestamp, windows(window), pane);
      }
    }

    @Override
    public void failure(DeadLetter d, Instant timestamp, BoundedWindow window, PaneInfo pane) {
      if (timestamp.isBefore(current)) {
        parkedFailures.add(new Parked<>(d, timestamp, window));
      } else {
        out.get(failuresTag).outputWindowedValue(d, timestamp, windows(window), pane);
      }
    }

    void discardParked() {
      parkedPredictions.clear();
      parkedFailures.clear();
    }

    void emitParked(FinishBundleContext context) {
      for (Parked<Prediction> p : parkedPredictions) {
        context.output(predictionsTag, p.value(), p.timestamp(), p.window());
      }
      for (Parked<DeadLetter> d : parkedFailures) {
        context.output(failuresTag, d.value(), d.timestamp(), d.window());
      }
      parkedPredictions.clear();
      parkedFailures.clear();
    }

    /** Rows of a batch mostly share one window (always, in the global window): reuse its list. */
    private Collection<BoundedWindow> windows(BoundedWindow window) {
      if (window != lastWindow) {
        lastWindow = window;
        lastWindows = Collections.singletonList(window);
      }
      return lastWindows;
    }
  }

  private record Parked<T>(T value, Instant timestamp, BoundedWindow window) {}
}
