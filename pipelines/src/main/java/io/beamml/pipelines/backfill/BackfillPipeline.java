package io.beamml.pipelines.backfill;

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
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.deadletter.CountDeadLetters;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The batch backfill: clicks, sales and profiles files in; an offline feature store partitioned by
 * event date, the dead letters and a balanced run summary out. With {@code --sink=bigquery} the
 * feature rows and dead letters go to their tables instead (see {@link BigQueryOutputs}); the
 * summary stays a file under {@code --output}.
 */
public final class BackfillPipeline {

  /** Flags of {@code ./pipeline backfill}. */
  public interface Options
      extends InputOptions, HmacKeyOptions, OutputOptions, BigQuerySinkOptions {}

  public static final String FEATURES_DIR = "features";
  public static final String DEAD_LETTERS_DIR = "dead-letters";
  public static final String SUMMARY_FILE = "summary.json";

  /** The progress lines' name for the rows written. */
  private static final String FEATURE_ROWS = "feature rows";

  private BackfillPipeline() {}

  /** Adds the whole backfill to {@code p}. */
  public static void build(Pipeline p, Options options, HmacKey key) {
    FeatureSpec spec = FeatureSpec.loadOrDefault(options.getFeatureSpec());
    @Nullable BigQueryDestinations bigQuery = BigQueryDestinations.ifChosen(options);
    OfflineInputs inputs = OfflineInputs.read(p, options, key);
    String out = options.getOutput();
    List<PCollection<KV<String, Long>>> counts = inputs.counts();
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>(List.of(inputs.deadLetters()));
    PCollection<FeatureRow> rows = inputs.featureRows(spec);
    if (bigQuery == null) {
      // Counted as written, by the sink: a second reader of the rows would cost a copy of each.
      counts.add(
          rows.apply(
                  "WriteFeatureStore",
                  PartitionedFileSink.of(
                          FeatureRow.class,
                          out + "/" + FEATURES_DIR,
                          options.getOutputFormat(),
                          FeatureRow::getEventTime,
                          JsonRecords.renderer())
                      .withWrittenCounts(
                          OfflineInputs.recordsOutKey(FeatureRow::getEventType), FEATURE_ROWS))
              .counts());
    } else {
      inputs.countOutBySource(rows, FeatureRow::getEventType, FEATURE_ROWS);
      BigQueryOutputs.write("FeatureRows", rows, bigQuery.featureRows(), counts, deadLetters);
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
                "backfill",
                Map.of(
                    "spec_fingerprint",
                    spec.fingerprint(),
                    "spec",
                    spec.name() + " v" + spec.version())));
  }

  /**
   * Builds, runs and waits, in a fresh attempt directory published as {@code --output} when the job
   * is done ({@link RunOutput}); the summary is at {@code OUTPUT/summary.json} when this returns.
   */
  public static PipelineResult run(Options options, HmacKey key) {
    return RunOutput.into(
        options,
        () -> {
          Pipeline p = Pipeline.create(options);
          build(p, options, key);
          return RunOutput.finished(p.run());
        });
  }
}
