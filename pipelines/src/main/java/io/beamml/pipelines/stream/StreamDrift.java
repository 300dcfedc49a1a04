package io.beamml.pipelines.stream;

import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.training.drift.DetectDrift;
import java.util.Objects;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * Drift inside the stream: the scored feature rows of each fixed event-time window compared with
 * the training reference ({@link DetectDrift}), once, when the watermark passes the window's end.
 * The drift records (drifted features only) come back in the global window, beside the job's other
 * outputs.
 *
 * <p>This is a measurement, not a way out for the rows: each row has already left as a prediction
 * or a dead letter of the scorer. So a row that comes after its window was compared (an event
 * accepted within the allowed lateness) is left out of the comparison (Beam counts it as dropped
 * due to lateness), and rows the drift check cannot compare are only counted ({@code
 * drift/rows_refused}): the scorer refuses the same rows and dead-letters them once.
 */
public final class StreamDrift
    extends PTransform<PCollection<FeatureRow>, PCollection<DriftRecord>> {

  private final DetectDrift detection;
  private final Duration window;

  private StreamDrift(DetectDrift detection, Duration window) {
    this.detection = detection;
    this.window = window;
  }

  /** Compares every {@code window} of event time by {@code detection}. */
  public static StreamDrift of(DetectDrift detection, Duration window) {
    Objects.requireNonNull(detection, "detection");
    Objects.requireNonNull(window, "window");
    if (!window.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("a drift window must be longer than zero, got " + window);
    }
    return new StreamDrift(detection, window);
  }

  /** The model version compared with (an alias was resolved when the detection was made). */
  public String modelVersion() {
    return detection.modelVersion();
  }

  @Override
  public PCollection<DriftRecord> expand(PCollection<FeatureRow> rows) {
    return rows.apply(
            "WindowByEventTime",
            Window.<FeatureRow>into(FixedWindows.of(window))
                .triggering(DefaultTrigger.of())
                .withAllowedLateness(Duration.ZERO)
                .discardingFiredPanes())
        .apply("CompareWithReference", detection)
        .records()
        .apply("RewindowDriftRecordsGlobally", Window.<DriftRecord>into(new GlobalWindows()));
  }
}
