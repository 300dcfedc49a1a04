package io.beamml.training.drift;

import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.features.FeatureVectorizer;
import io.beamml.transforms.metrics.MetricLabels;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Compares the feature distribution of each window of its input with the training reference of a
 * model version: PSI for every feature, the KS test for numeric ones. The caller windows the rows
 * (fixed event-time windows in streaming; the global window makes a batch run one window).
 *
 * <pre>{@code
 * DetectDrift.Result drift = rows
 *     .apply(Window.into(FixedWindows.of(Duration.standardHours(1))))
 *     .apply("DetectDrift", DetectDrift.forModel(registry, ModelRef.parse("promo@champion")));
 * drift.records();   // DriftRecord per drifted (feature, statistic, window)
 * }</pre>
 *
 * <p>Per window the rows are folded into per-feature histograms over the reference bins and a
 * bounded value sample by a combiner, so memory does not grow with the window. The comparison runs
 * once per pane: with the default trigger that is once per window, at the watermark; a trigger with
 * early firings compares (and counts) each early pane too. Metrics, namespace {@value
 * #METRICS_NAMESPACE}, names labelled as {@link MetricLabels} writes them: each flagged statistic
 * of a feature increments the counter {@code drifted_windows{feature,statistic}} (statistic {@code
 * psi} or {@code ks}; by 0 when measured but not flagged), and each window with enough rows to be
 * judged sets the gauge {@code statistic{feature,statistic}} to its value (a Beam gauge holds whole
 * numbers: the value is recorded in millionths and labelled {@link MetricLabels#SCALE}, which the
 * exporter divides out). Rows computed under another feature spec, or lacking a feature, cannot be
 * compared and leave as dead letters: a job that also scores the rows gets the same refusals from
 * its scorer and writes only one of the two.
 */
public final class DetectDrift extends PTransform<PCollection<FeatureRow>, DetectDrift.Result> {

  public static final String METRICS_NAMESPACE = "drift";

  /** Counter family: windows in which a feature's statistic was flagged. */
  public static final String DRIFTED_WINDOWS = "drifted_windows";

  /** Gauge family: the latest judged window's statistic of a feature, in millionths. */
  public static final String STATISTIC = "statistic";

  private static final long GAUGE_SCALE = 1_000_000L;

  /** The step named in the dead letters of rows that cannot be compared. */
  public static final String STEP = Steps.DRIFT;

  private static final TupleTag<FeatureRow> COMPARABLE = new TupleTag<>() {};
  private static final TupleTag<DeadLetter> REFUSED = new TupleTag<>() {};

  private final ReferenceProfile reference;
  private final String modelName;
  private final String modelVersion;
  private final DriftThresholds thresholds;
  private final boolean allStatistics;
  private final int sampleSize;

  private DetectDrift(
      ReferenceProfile reference,
      String modelName,
      String modelVersion,
      DriftThresholds thresholds,
      boolean allStatistics,
      int sampleSize) {
    this.reference = reference;
    this.modelName = modelName;
    this.modelVersion = modelVersion;
    this.thresholds = thresholds;
    this.allStatistics = allStatistics;
    this.sampleSize = sampleSize;
  }

  /**
   * Against a reference already in hand, recorded as belonging to {@code modelName:modelVersion}.
   */
  public static DetectDrift against(
      ReferenceProfile reference, String modelName, String modelVersion) {
    if (reference == null) {
      throw new IllegalArgumentException("a reference profile is required");
    }
    ModelRef.version(modelName, modelVersion);
    return new DetectDrift(
        reference,
        modelName,
        modelVersion,
        DriftThresholds.defaults(),
        false,
        ReferenceProfile.DEFAULT_SAMPLE_SIZE);
  }

  /**
   * Against the reference stored with a registered version. An alias is resolved now, once: the
   * whole run compares with one version even if the alias moves meanwhile.
   */
  public static DetectDrift forModel(ModelRegistry registry, ModelRef model) {
    String version = registry.resolve(model);
    return against(ReferenceProfile.load(registry, model.name(), version), model.name(), version);
  }

  public DetectDrift withThresholds(DriftThresholds value) {
    if (value == null) {
      throw new IllegalArgumentException("thresholds are required");
    }
    return new DetectDrift(reference, modelName, modelVersion, value, allStatistics, sampleSize);
  }

  /**
   * Emits a record for every statistic measured (with its {@code drifted} flag), not only the
   * drifted ones.
   */
  public DetectDrift withAllStatistics() {
    return new DetectDrift(reference, modelName, modelVersion, thresholds, true, sampleSize);
  }

  /** Raw values kept per numeric feature and window for the KS test (default 2,000). */
  public DetectDrift withSampleSize(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("the KS sample needs at least one value, got " + value);
    }
    return new DetectDrift(reference, modelName, modelVersion, thresholds, allStatistics, value);
  }

  public String modelName() {
    return modelName;
  }

  /** The version compared with; an alias was resolved when this transform was made. */
  public String modelVersion() {
    return modelVersion;
  }

  @Override
  public Result expand(PCollection<FeatureRow> rows) {
    PCollectionTuple checked =
        rows.apply(
            "CheckRowsAgainstReference",
            ParDo.of(new CheckRowFn(reference, modelName, modelVersion))
                .withOutputTags(COMPARABLE, TupleTagList.of(REFUSED)));
    PCollection<FeatureRow> comparable =
        checked.get(COMPARABLE).setCoder(AvroCoder.specific(FeatureRow.class));
    PCollection<DeadLetter> refused = checked.get(REFUSED).setCoder(DeadLetters.coder());

    Combine.Globally<FeatureRow, CurrentProfile> accumulate =
        Combine.globally(new AccumulateProfile(reference, sampleSize));
    if (!(rows.getWindowingStrategy().getWindowFn() instanceof GlobalWindows)) {
      // Only the global window has a natural "no rows" result; other windows without rows say
      // nothing.
      accumulate = accumulate.withoutDefaults();
    }
    PCollection<CurrentProfile> profiles =
        comparable.apply("AccumulateHistograms", accumulate).setCoder(CurrentProfileCoder.of());
    PCollection<WindowDrift> windows =
        profiles
            .apply(
                "CompareWithReference",
                ParDo.of(new CompareFn(reference, thresholds, modelName, modelVersion)))
            .setCoder(SerializableCoder.of(WindowDrift.class));
    PCollection<DriftRecord> records =
        windows
            .apply("EmitDriftRecords", ParDo.of(new EmitRecordsFn(allStatistics)))
            .setCoder(AvroCoder.specific(DriftRecord.class));
    return new Result(rows.getPipeline(), records, windows, refused);
  }

  /** Passes rows the reference can bin; refuses the rest with a reason. */
  private static final class CheckRowFn extends DoFn<FeatureRow, FeatureRow> {
    private final ReferenceProfile reference;
    private final FeatureVectorizer vectorizer;
    private final String model;
    private final Counter refused = Metrics.counter(METRICS_NAMESPACE, "rows_refused");

    CheckRowFn(ReferenceProfile reference, String modelName, String modelVersion) {
      this.reference = reference;
      this.vectorizer = new FeatureVectorizer(reference.spec());
      this.model = modelName + ":" + modelVersion;
    }

    @ProcessElement
    public void process(@Element FeatureRow row, MultiOutputReceiver out) {
      if (!reference.specFingerprint().equals(row.getSpecFingerprint())) {
        refuse(
            out,
            row,
            Reasons.SPEC_MISMATCH,
            "row was computed under feature spec "
                + row.getSpecFingerprint()
                + " but the training reference of "
                + model
                + " under "
                + reference.specFingerprint());
        return;
      }
      try {
        vectorizer.toVector(row.getFeatures());
      } catch (IllegalArgumentException e) {
        refuse(
            out,
            row,
            Reasons.MISSING_FEATURE,
            "row does not carry the features of " + model + " in spec order: " + e.getMessage());
        return;
      }
      out.get(COMPARABLE).output(row);
    }

    private void refuse(MultiOutputReceiver out, FeatureRow row, String reason, String message) {
      refused.inc();
      out.get(REFUSED)
          .output(
              DeadLetters.of(
                  Sources.FEATURES, STEP, reason, message, row.toString(), row.getEventTime()));
    }
  }

  /** Measures a window's profile against the reference and counts what it finds. */
  private static final class CompareFn extends DoFn<CurrentProfile, WindowDrift> {
    private final ReferenceProfile reference;
    private final DriftThresholds thresholds;
    private final String modelName;
    private final String modelVersion;
    private final Counter windowsMeasured = Metrics.counter(METRICS_NAMESPACE, "windows_measured");
    private final Counter windowsTooSmall =
        Metrics.counter(METRICS_NAMESPACE, "windows_below_min_rows");

    CompareFn(
        ReferenceProfile reference,
        DriftThresholds thresholds,
        String modelName,
        String modelVersion) {
      this.reference = reference;
      this.thresholds = thresholds;
      this.modelName = modelName;
      this.modelVersion = modelVersion;
    }

    @ProcessElement
    public void process(
        @Element CurrentProfile profile, BoundedWindow window, OutputReceiver<WindowDrift> out) {
      Long start = null;
      Long end = null;
      if (window instanceof IntervalWindow) {
        start = ((IntervalWindow) window).start().getMillis();
        end = ((IntervalWindow) window).end().getMillis();
      }
      WindowDrift drift =
          WindowDrift.measure(reference, profile, thresholds, modelName, modelVersion, start, end);
      // Both counted, one by 0: each series exists from the first window on.
      windowsMeasured.inc(drift.measured() ? 1 : 0);
      windowsTooSmall.inc(drift.measured() ? 0 : 1);
      if (drift.measured()) {
        for (FeatureDrift f : drift.features()) {
          record(f.feature(), WindowDrift.PSI, f.psi(), f.psiDrifted());
          record(f.feature(), WindowDrift.KS, f.ksStatistic(), f.ksDrifted());
        }
      }
      out.output(drift);
    }

    private static void record(
        String feature, String statistic, @Nullable Double value, boolean drifted) {
      if (value == null) {
        return;
      }
      Metrics.gauge(
              METRICS_NAMESPACE,
              MetricLabels.name(
                  STATISTIC,
                  "feature",
                  feature,
                  "statistic",
                  statistic,
                  MetricLabels.SCALE,
                  Long.toString(GAUGE_SCALE)))
          .set(Math.round(value * GAUGE_SCALE));
      // Counted by 0 when not flagged, so every judged (feature, statistic) has its series.
      Metrics.counter(
              METRICS_NAMESPACE,
              MetricLabels.name(DRIFTED_WINDOWS, "feature", feature, "statistic", statistic))
          .inc(drifted ? 1 : 0);
    }
  }

  private static final class EmitRecordsFn extends DoFn<WindowDrift, DriftRecord> {
    private final boolean all;

    EmitRecordsFn(boolean all) {
      this.all = all;
    }

    @ProcessElement
    public void process(@Element WindowDrift drift, OutputReceiver<DriftRecord> out) {
      for (DriftRecord r : drift.records(all)) {
        out.output(r);
      }
    }
  }

  /**
   * What {@link DetectDrift} produces: drift records, the full per-window comparison (histograms
   * and statistics of every feature, for reports) and the rows it could not compare.
   */
  public static final class Result implements POutput {
    private static final TupleTag<DriftRecord> RECORDS = new TupleTag<>("records");
    private static final TupleTag<WindowDrift> WINDOWS = new TupleTag<>("windows");
    private static final TupleTag<DeadLetter> FAILURES = new TupleTag<>("failures");

    private final Pipeline pipeline;
    private final PCollection<DriftRecord> records;
    private final PCollection<WindowDrift> windows;
    private final PCollection<DeadLetter> failures;

    private Result(
        Pipeline pipeline,
        PCollection<DriftRecord> records,
        PCollection<WindowDrift> windows,
        PCollection<DeadLetter> failures) {
      this.pipeline = pipeline;
      this.records = records;
      this.windows = windows;
      this.failures = failures;
    }

    /**
     * One per drifted (feature, statistic) and window; every statistic with {@link
     * #withAllStatistics()}.
     */
    public PCollection<DriftRecord> records() {
      return records;
    }

    /** One per window that had rows (and one for an empty global window). */
    public PCollection<WindowDrift> windows() {
      return windows;
    }

    public PCollection<DeadLetter> failures() {
      return failures;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return Map.of(RECORDS, records, WINDOWS, windows, FAILURES, failures);
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {}
  }
}
