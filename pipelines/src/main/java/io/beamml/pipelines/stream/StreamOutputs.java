package io.beamml.pipelines.stream;

import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Everything the streaming job writes, handed to its {@link StreamSinks} in one piece: the
 * predictions and dead letters always, audit records, drift records, quality records, feature rows
 * and duplicate notices when the job makes them. All in the global window.
 */
public final class StreamOutputs implements PInput {

  private static final TupleTag<Prediction> PREDICTIONS = new TupleTag<>("predictions");
  private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters");
  private static final TupleTag<AuditRecord> AUDIT = new TupleTag<>("audit");
  private static final TupleTag<DriftRecord> DRIFT = new TupleTag<>("drift");
  private static final TupleTag<FeatureRow> FEATURE_ROWS = new TupleTag<>("featureRows");
  private static final TupleTag<KV<String, String>> DUPLICATES = new TupleTag<>("duplicates");
  private static final TupleTag<KV<String, String>> QUALITY = new TupleTag<>("quality");

  private final PCollection<Prediction> predictions;
  private final PCollection<DeadLetter> deadLetters;
  private final @Nullable PCollection<AuditRecord> audit;
  private final @Nullable PCollection<DriftRecord> drift;
  private final @Nullable PCollection<FeatureRow> featureRows;
  private final @Nullable PCollection<KV<String, String>> duplicates;
  private final @Nullable PCollection<KV<String, String>> quality;

  private StreamOutputs(
      PCollection<Prediction> predictions,
      PCollection<DeadLetter> deadLetters,
      @Nullable PCollection<AuditRecord> audit,
      @Nullable PCollection<DriftRecord> drift,
      @Nullable PCollection<FeatureRow> featureRows,
      @Nullable PCollection<KV<String, String>> duplicates,
      @Nullable PCollection<KV<String, String>> quality) {
    this.predictions = predictions;
    this.deadLetters = deadLetters;
    this.audit = audit;
    this.drift = drift;
    this.featureRows = featureRows;
    this.duplicates = duplicates;
    this.quality = quality;
  }

  public static StreamOutputs of(
      PCollection<Prediction> predictions, PCollection<DeadLetter> deadLetters) {
    return new StreamOutputs(
        Objects.requireNonNull(predictions, "predictions"),
        Objects.requireNonNull(deadLetters, "deadLetters"),
        null,
        null,
        null,
        null,
        null);
  }

  /** One audit record per prediction. */
  public StreamOutputs withAudit(PCollection<AuditRecord> value) {
    return new StreamOutputs(
        predictions,
        deadLetters,
        Objects.requireNonNull(value, "audit"),
        drift,
        featureRows,
        duplicates,
        quality);
  }

  /** Drift records, each of one feature, statistic and event-time window. */
  public StreamOutputs withDrift(PCollection<DriftRecord> value) {
    return new StreamOutputs(
        predictions,
        deadLetters,
        audit,
        Objects.requireNonNull(value, "drift"),
        featureRows,
        duplicates,
        quality);
  }

  /** The feature rows that were scored. */
  public StreamOutputs withFeatureRows(PCollection<FeatureRow> value) {
    return new StreamOutputs(
        predictions,
        deadLetters,
        audit,
        drift,
        Objects.requireNonNull(value, "featureRows"),
        duplicates,
        quality);
  }

  /** Every duplicate Dedup caught, as (event id, notice JSON). */
  public StreamOutputs withDuplicates(PCollection<KV<String, String>> value) {
    return new StreamOutputs(
        predictions,
        deadLetters,
        audit,
        drift,
        featureRows,
        Objects.requireNonNull(value, "duplicates"),
        quality);
  }

  /** Quality records (see {@link StreamQuality}), as (name:version/variant, JSON). */
  public StreamOutputs withQuality(PCollection<KV<String, String>> value) {
    return new StreamOutputs(
        predictions,
        deadLetters,
        audit,
        drift,
        featureRows,
        duplicates,
        Objects.requireNonNull(value, "quality"));
  }

  public PCollection<Prediction> predictions() {
    return predictions;
  }

  /** Every dead letter of every stage before the sinks. */
  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
  }

  public Optional<PCollection<AuditRecord>> audit() {
    return Optional.ofNullable(audit);
  }

  public Optional<PCollection<DriftRecord>> drift() {
    return Optional.ofNullable(drift);
  }

  public Optional<PCollection<FeatureRow>> featureRows() {
    return Optional.ofNullable(featureRows);
  }

  public Optional<PCollection<KV<String, String>>> duplicates() {
    return Optional.ofNullable(duplicates);
  }

  public Optional<PCollection<KV<String, String>>> quality() {
    return Optional.ofNullable(quality);
  }

  /** Applies {@code transform} (a {@link StreamSinks}, say) to these outputs. */
  public <OutputT extends POutput> OutputT apply(
      String name, PTransform<StreamOutputs, OutputT> transform) {
    return Pipeline.applyTransform(name, this, transform);
  }

  @Override
  public Pipeline getPipeline() {
    return predictions.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    Map<TupleTag<?>, PValue> values = new LinkedHashMap<>();
    values.put(PREDICTIONS, predictions);
    values.put(DEAD_LETTERS, deadLetters);
    if (audit != null) {
      values.put(AUDIT, audit);
    }
    if (drift != null) {
      values.put(DRIFT, drift);
    }
    if (featureRows != null) {
      values.put(FEATURE_ROWS, featureRows);
    }
    if (duplicates != null) {
      values.put(DUPLICATES, duplicates);
    }
    if (quality != null) {
      values.put(QUALITY, quality);
    }
    return values;
  }
}
