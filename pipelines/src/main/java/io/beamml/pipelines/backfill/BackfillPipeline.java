package io.beamml.pipelines.backfill;

import io.beamml.pipelines.ingest.OfflineInputs;
import io.beamml.pipelines.io.DeadLetterSink;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.pipelines.io.PartitionedFileSink;
import io.beamml.pipelines.options.HmacKeyOptions;
import io.beamml.pipelines.options.InputOptions;
import io.beamml.pipelines.options.OutputOptions;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.deadletter.CountDeadLetters;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * The batch backfill: clicks, sales and profiles files in; an offline feature store partitioned
 * by event date, the dead letters and a balanced run summary out.
 */
public final class BackfillPipeline {

  /** Flags of {@code ./pipeline backfill}. */
  public interface Options extends InputOptions, HmacKeyOptions, OutputOptions {}

  public static final String FEATURES_DIR = "features";
  public static final String DEAD_LETTERS_DIR = "dead-letters";
  public static final String SUMMARY_FILE = "summary.json";

  private BackfillPipeline() {}

  /** Adds the whole backfill to {@code p}. */
  public static void build(Pipeline p, Options options, HmacKey key) {
    FeatureSpec spec = FeatureSpec.loadOrDefault(options.getFeatureSpec());
    OfflineInputs inputs = OfflineInputs.read(p, options, key);
    String out = options.getOutput();
    inputs.featureRows(spec).apply("WriteFeatureStore", PartitionedFileSink.of(
        FeatureRow.class, out + "/" + FEATURES_DIR, options.getOutputFormat(),
        FeatureRow::getEventTime, JsonRecords::featureRow));
    inputs.deadLetters().apply("WriteDeadLetters", DeadLetterSink.to(out + "/" + DEAD_LETTERS_DIR));
    inputs.deadLetters().apply("MeterDeadLetters", CountDeadLetters.create());
    PCollectionList.of(inputs.counts())
        .and(inputs.deadLetters().apply("CountDeadLetters", SummaryCounts.deadLettersByReason()))
        .apply("WriteSummary", RunSummary.to(out, "backfill", Map.of(
            "spec_fingerprint", spec.fingerprint(), "spec", spec.name() + " v" + spec.version())));
  }

  /** Builds, runs and waits; the summary is at {@code OUTPUT/summary.json} when this returns. */
  public static PipelineResult run(Options options, HmacKey key) {
    Pipeline p = Pipeline.create(options);
    build(p, options, key);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return result;
  }
}
