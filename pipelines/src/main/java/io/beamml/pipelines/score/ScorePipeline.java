package io.beamml.pipelines.score;

import io.beamml.inference.ScoreFeatures;
import io.beamml.inference.registry.ModelRef;
import io.beamml.pipelines.audit.ToAuditRecords;
import io.beamml.pipelines.bigquery.BigQueryDestinations;
import io.beamml.pipelines.bigquery.BigQueryOutputs;
import io.beamml.pipelines.bigquery.BigQuerySinkOptions;
import io.beamml.pipelines.ingest.OfflineInputs;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.pipelines.io.PartitionedFileSink;
import io.beamml.pipelines.io.RunOutput;
import io.beamml.pipelines.options.HmacKeyOptions;
import io.beamml.pipelines.options.InputOptions;
import io.beamml.pipelines.options.OutputOptions;
import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.pipelines.options.ScoringOptions;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.deadletter.CountDeadLetters;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.metrics.CountRecordsIn;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Batch scoring: backfill-style inputs (or feature rows a backfill stored) through the scoring
 * transform, predictions partitioned by event date, dead letters and a balanced summary. The
 * feature rows are computed by the same code as the backfill's, so the scores are the ones the
 * streaming job gives for the same events.
 */
public final class ScorePipeline {

  /** Flags of {@code ./pipeline score}. */
  public interface Options
      extends InputOptions, HmacKeyOptions, OutputOptions, ScoringOptions, BigQuerySinkOptions {
    @Description(
        "Score feature rows a backfill stored (Avro glob, e.g. OUT/features/*/*.avro) instead of raw inputs")
    String getFeatures();

    void setFeatures(String value);
  }

  public static final String PIPELINE_NAME = "score";
  public static final String PREDICTIONS_DIR = "predictions";
  public static final String DEAD_LETTERS_DIR = "dead-letters";

  /** Audit records, one per prediction, as JSON Lines by event date (with {@code --sink=files}). */
  public static final String AUDIT_DIR = "audit";

  private ScorePipeline() {}

  /** Adds the whole scoring run to {@code p}; the key is needed only for raw inputs. */
  public static void build(Pipeline p, Options options, @Nullable HmacKey key) {
    // Checks --sink before any transform is added: a batch run refuses --sink=kafka.
    @Nullable BigQueryDestinations bigQuery = BigQueryDestinations.ifChosen(options);
    FeatureSpec spec = FeatureSpec.loadOrDefault(options.getFeatureSpec());
    List<PCollection<KV<String, Long>>> counts = new ArrayList<>();
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
    PCollection<FeatureRow> rows;
    if (options.getFeatures() != null && !options.getFeatures().isBlank()) {
      rows =
          p.apply(
                  "ReadStoredFeatureRows",
                  AvroIO.read(FeatureRow.class).from(options.getFeatures()))
              .apply("MeterStoredRowsIn", CountRecordsIn.of(Sources.FEATURES));
    } else {
      if (key == null) {
        throw new IllegalArgumentException(
            "scoring raw inputs needs the HMAC key: --hmacKeyFile or PIPELINE_HMAC_KEY");
      }
      OfflineInputs inputs = OfflineInputs.read(p, options, key);
      rows = inputs.featureRows(spec);
      inputs.countOutBySource(rows, FeatureRow::getEventType, "feature rows");
      counts.addAll(inputs.counts());
      deadLetters.add(inputs.deadLetters());
    }
    counts.add(
        rows.apply(
            "CountFeatureRowsIn", SummaryCounts.of(Sources.FEATURES, SummaryCounts.RECORDS_IN)));

    WithFailures.Result<PCollection<Prediction>, DeadLetter> scored =
        rows.apply("Score", scoring(options, spec));
    counts.add(
        scored
            .output()
            .apply(
                "CountPredictions", SummaryCounts.of(Sources.FEATURES, SummaryCounts.RECORDS_OUT)));
    deadLetters.add(scored.failures());

    String out = options.getOutput();
    PCollection<AuditRecord> audit =
        scored.output().apply("MakeAuditRecords", ToAuditRecords.forRun(options.getJobName()));
    if (bigQuery == null) {
      scored
          .output()
          .apply(
              "WritePredictions",
              PartitionedFileSink.of(
                  Prediction.class,
                  out + "/" + PREDICTIONS_DIR,
                  options.getOutputFormat(),
                  Prediction::getEventTime,
                  JsonRecords.renderer()));
      audit.apply(
          "WriteAuditRecords",
          PartitionedFileSink.of(
              AuditRecord.class,
              out + "/" + AUDIT_DIR,
              OutputFormat.jsonl,
              AuditRecord::getEventTime,
              JsonRecords.renderer()));
    } else {
      BigQueryOutputs.write(
          "Predictions", scored.output(), bigQuery.predictions(), counts, deadLetters);
      BigQueryOutputs.write("AuditRecords", audit, bigQuery.audit(), counts, deadLetters);
    }
    PCollection<DeadLetter> allDeadLetters =
        PCollectionList.of(deadLetters).apply("FlattenAllDeadLetters", Flatten.pCollections());
    allDeadLetters.apply("MeterDeadLetters", CountDeadLetters.create());
    BigQueryOutputs.writeDeadLetters(allDeadLetters, bigQuery, out + "/" + DEAD_LETTERS_DIR);
    PCollectionList.of(counts)
        .and(allDeadLetters.apply("CountDeadLetters", SummaryCounts.deadLettersByReason()))
        .apply(
            "WriteSummary",
            RunSummary.to(
                out,
                PIPELINE_NAME,
                Map.of("spec_fingerprint", spec.fingerprint(), "model", options.getModel())));
  }

  /** The scoring transform the flags describe, with versions resolved from the registry now. */
  public static ScoreFeatures scoring(ScoringOptions options, FeatureSpec spec) {
    ScoreFeatures score =
        ScoreFeatures.with(options.getRegistry(), ModelRef.parse(options.getModel()))
            .withFeatureSpec(spec)
            .withMaxBatchSize(options.getMaxBatchSize())
            .withExplanations(options.getExplanations());
    if (options.getChallenger() != null && !options.getChallenger().isBlank()) {
      score =
          score.withChallenger(
              ModelRef.parse(options.getChallenger()), options.getChallengerShare());
    }
    return score;
  }

  /**
   * Builds, runs and waits, in a fresh attempt directory published as {@code --output} when the job
   * is done ({@link RunOutput}); the summary is at {@code OUTPUT/summary.json} when this returns.
   */
  public static PipelineResult run(Options options, @Nullable HmacKey key) {
    return RunOutput.into(
        options,
        () -> {
          Pipeline p = Pipeline.create(options);
          build(p, options, key);
          return RunOutput.finished(p.run());
        });
  }
}
