package io.beamml.pipelines.stream;

import io.beamml.inference.ScoreFeatures;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.pipelines.score.ScorePipeline;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.deadletter.CountDeadLetters;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.features.StreamingCustomerFeatures;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * The streaming job: clicks and orders from Kafka through the backfill's Ingest, streaming
 * customer features (profiles from files as a side input), the batch scorer re-reading the
 * registry's aliases every {@code --modelRefresh} (so a promotion reaches later predictions
 * without a restart), and one prediction per event to the predictions topic. Every dead letter of
 * every stage goes to the dead-letters topic.
 *
 * <p>Keys: predictions (and feature rows) are keyed by the pseudonymised customer, so one
 * customer's records share a partition; dead letters by their source name ({@code clicks},
 * {@code orders}, {@code profiles}, {@code features}): a dead letter may have failed before any
 * customer was known, and its raw id must not become a key; duplicates by their event id. Dead
 * letters carry the raw input, raw customer ids included: restrict who may read that topic.
 *
 * <p>Delivery: at least once into Kafka. The sinks are Kafka's idempotent producer, not
 * transactions, and input offsets are committed to the consumer group only when a checkpoint is
 * finalized. Stop and restart the job from its last checkpoint or a savepoint (on Flink: retained
 * externalized checkpoints and {@code --savepointPath}): the restored job resumes reading where
 * the checkpoint was taken, with the Dedup and feature state of that moment, and writes again
 * whatever the stopped job had written after it; consumers see those records twice (same key,
 * same value; the tests count them). Starting a new job with only the consumer group's offsets
 * loses whatever the old job's state held at its last checkpoint: in EXACT mode, every event whose
 * row was still waiting for the watermark (in a test, 462 of 667 events when the feed had mostly
 * been read before the stop), in either mode the feature history, and Dedup's memory of ids.
 */
public final class StreamPipeline {

  private StreamPipeline() {}

  /** Adds the whole streaming job to {@code p}. */
  public static void build(Pipeline p, StreamOptions options, HmacKey key) {
    FeatureSpec spec = FeatureSpec.loadOrDefault(options.getFeatureSpec());
    String servers = options.getBootstrapServers();
    StreamInputs inputs = StreamInputs.read(p, options, key);

    PCollectionView<Map<String, CustomerProfile>> profiles =
        StreamingCustomerFeatures.profilesView(inputs.profiles());
    WithFailures.Result<PCollection<FeatureRow>, DeadLetter> features =
        inputs.events().apply("ComputeStreamingFeatures", features(options, spec, profiles));
    ScoreFeatures scoring = ScorePipeline.scoring(options, spec)
        .withAliasRefresh(StreamInputs.durationFlag("modelRefresh", options.getModelRefresh()));
    WithFailures.Result<PCollection<Prediction>, DeadLetter> scored =
        features.output().apply("Score", scoring);
    scored.output().apply("MeasureEventLag", MeasureEventLag.create());

    scored.output().apply("WritePredictions",
        WriteTopic.of(servers, options.getPredictionsTopic(), Prediction::getCustomerKey, JsonRecords::prediction));
    PCollectionList.of(inputs.deadLetters()).and(features.failures()).and(scored.failures())
        .apply("FlattenDeadLetters", Flatten.pCollections())
        .apply("MeterDeadLetters", CountDeadLetters.create())
        .apply("WriteDeadLetters",
            WriteTopic.of(servers, options.getDeadLettersTopic(), DeadLetter::getSource, JsonRecords::deadLetter));
    if (!options.getDuplicatesTopic().isBlank()) {
      inputs.duplicates().apply("WriteDuplicates",
          WriteTopic.<KV<String, String>>of(servers, options.getDuplicatesTopic(), KV::getKey, KV::getValue));
    }
    if (!options.getFeaturesTopic().isBlank()) {
      features.output().apply("WriteFeatureRows",
          WriteTopic.of(servers, options.getFeaturesTopic(), FeatureRow::getCustomerKey, JsonRecords::featureRow));
    }
  }

  private static StreamingCustomerFeatures features(
      StreamOptions options, FeatureSpec spec, PCollectionView<Map<String, CustomerProfile>> profiles) {
    StreamingCustomerFeatures.Mode mode = options.getFeatureMode() == StreamOptions.FeatureMode.exact
        ? StreamingCustomerFeatures.Mode.EXACT
        : StreamingCustomerFeatures.Mode.LOW_LATENCY;
    return StreamingCustomerFeatures.of(spec)
        .withProfiles(profiles)
        .withMode(mode)
        .withAllowedLateness(StreamInputs.durationFlag("allowedLateness", options.getAllowedLateness()));
  }

  /**
   * Builds and starts the job without waiting: a streaming job runs until cancelled (or, with
   * {@code --maxRecords}/{@code --maxReadTime}, until its bounded read is done).
   */
  public static PipelineResult start(StreamOptions options, HmacKey key) {
    Pipeline p = Pipeline.create(options);
    build(p, options, key);
    return p.run();
  }
}
