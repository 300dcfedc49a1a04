package io.beamml.pipelines.stream;

import io.beamml.inference.ScoreFeatures;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.pipelines.audit.ToAuditRecords;
import io.beamml.pipelines.drift.DriftThresholdOptions;
import io.beamml.pipelines.online.OnlineStoreOptions;
import io.beamml.pipelines.online.WriteOnlineStore;
import io.beamml.pipelines.quality.QualityReportPipeline;
import io.beamml.pipelines.score.ScorePipeline;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import io.beamml.serving.store.OnlineStoreConfig;
import io.beamml.training.drift.DetectDrift;
import io.beamml.transforms.deadletter.CountDeadLetters;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.features.StreamingCustomerFeatures;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The streaming job: clicks and orders from Kafka through the backfill's Ingest, streaming customer
 * features (profiles from files as a side input), the batch scorer re-reading the registry's
 * aliases every {@code --modelRefresh} (so a promotion reaches later predictions without a
 * restart), one prediction per event, and beside it an audit record per prediction, the drift of
 * each {@code --driftWindow} against the champion's training reference and, with {@code
 * --responsesTopic}, the live quality of each day of promotions ({@link StreamQuality}). All of it,
 * and every dead letter of every stage, goes where {@code --sink} says ({@link StreamSinks}): Kafka
 * topics by default, windowed files, or BigQuery tables. With {@code --onlineStore} the
 * deduplicated, pseudonymised events and the profiles also feed the Redis online store.
 *
 * <p>Keys (Kafka): predictions, audit records and feature rows are keyed by the pseudonymised
 * customer, so one customer's records share a partition; drift records by feature; dead letters by
 * their source name ({@code clicks}, {@code orders}, {@code profiles}, {@code features}): a dead
 * letter may have failed before any customer was known, and its raw id must not become a key;
 * duplicates by their event id. Dead letters carry the raw input, raw customer ids included:
 * restrict who may read that topic, directory or table.
 *
 * <p>Delivery ({@code --deliveryGuarantee}): at least once into Kafka by default, with Kafka's
 * idempotent producer; input offsets are committed to the consumer group only when a checkpoint is
 * finalized. A job restored from its last checkpoint or a savepoint resumes reading where it was
 * taken, with the Dedup and feature state of that moment, and writes again whatever the stopped job
 * had written after it (same key, same value). With {@code exactly_once} every Kafka output is
 * written in transactions committed with the checkpoints ({@link WriteTopic#withExactlyOnce}), so a
 * {@code read_committed} consumer sees no such repeats. Starting a new job with only the consumer
 * group's offsets loses whatever the old job's state held (in EXACT mode every row still waiting
 * for the watermark, in either mode the feature history and Dedup's memory of ids): the launcher
 * refuses it unless told otherwise. BigQuery's at-least-once stream and the windowed files repeat
 * records on such a restart; their records carry the event id to remove repeats.
 */
public final class StreamPipeline {

  private StreamPipeline() {}

  /** Adds the whole streaming job to {@code p}. */
  public static void build(Pipeline p, StreamOptions options, HmacKey key) {
    StreamSinks sinks = StreamSinks.chosenBy(options);
    FeatureSpec spec = FeatureSpec.loadOrDefault(options.getFeatureSpec());
    StreamInputs inputs = StreamInputs.read(p, options, key);
    @Nullable OnlineStoreConfig onlineStore = OnlineStoreOptions.configFor(options, spec);
    if (onlineStore != null) {
      // Straight from Ingest: the store holds events, not rows, so it neither waits for the
      // watermark nor depends on the feature mode; serve computes features as of each request.
      inputs.events().apply("WriteOnlineStoreEvents", WriteOnlineStore.events(onlineStore));
      inputs.profiles().apply("WriteOnlineStoreProfiles", WriteOnlineStore.profiles(onlineStore));
    }

    PCollectionView<Map<String, CustomerProfile>> profiles =
        StreamingCustomerFeatures.profilesView(inputs.profiles());
    WithFailures.Result<PCollection<FeatureRow>, DeadLetter> features =
        inputs.events().apply("ComputeStreamingFeatures", features(options, spec, profiles));
    ScoreFeatures scoring =
        ScorePipeline.scoring(options, spec)
            .withAliasRefresh(StreamInputs.durationFlag("modelRefresh", options.getModelRefresh()));
    WithFailures.Result<PCollection<Prediction>, DeadLetter> scored =
        features.output().apply("Score", scoring);
    scored.output().apply("MeasureEventLag", MeasureEventLag.create());

    PCollection<Prediction> predictions = scored.output();
    List<PCollection<DeadLetter>> failures =
        new ArrayList<>(List.of(inputs.deadLetters(), features.failures(), scored.failures()));
    StreamQuality.Result quality = null;
    if (inputs.responses().isPresent()) {
      quality = inputs.responses().get().apply("MeasureLiveQuality", quality(options, predictions));
      failures.add(quality.deadLetters());
    }
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(failures).apply("FlattenDeadLetters", Flatten.pCollections());

    StreamOutputs outputs = StreamOutputs.of(predictions, deadLetters);
    if (quality != null && isOn(options.getQualityTopic())) {
      outputs = outputs.withQuality(quality.records());
    }
    if (isOn(options.getAuditTopic())) {
      outputs =
          outputs.withAudit(
              predictions.apply("MakeAuditRecords", ToAuditRecords.forRun(options.getJobName())));
    }
    if (isOn(options.getDriftTopic())) {
      outputs = outputs.withDrift(features.output().apply("DetectDrift", drift(options)));
    }
    if (isOn(options.getFeaturesTopic())) {
      outputs = outputs.withFeatureRows(features.output());
    }
    if (isOn(options.getDuplicatesTopic())) {
      outputs = outputs.withDuplicates(inputs.duplicates());
    }
    // The sinks return every dead letter written, rows a sink rejected included.
    outputs.apply("WriteOutputs", sinks).apply("MeterDeadLetters", CountDeadLetters.create());
  }

  /**
   * Drift per {@code --driftWindow} against the training reference of the {@code --model} version
   * the alias points at now: the version is resolved once, at launch, as the scorer's is.
   */
  static StreamDrift drift(StreamOptions options) {
    DetectDrift detection =
        DetectDrift.forModel(
                ModelRegistry.at(options.getRegistry()), ModelRef.parse(options.getModel()))
            .withThresholds(DriftThresholdOptions.thresholds(options, options.getDriftMinRows()));
    return StreamDrift.of(
        detection, StreamInputs.durationFlag("driftWindow", options.getDriftWindow()));
  }

  /**
   * Live quality against the job's predictions, with each version's test AUC read from the registry
   * at launch (for the champion's and the challenger's model): a version registered later has none,
   * so its gauges have no test AUC to be compared with until the job is restarted.
   */
  static StreamQuality quality(StreamOptions options, PCollection<Prediction> predictions) {
    Map<String, Double> testAuc =
        new TreeMap<>(QualityReportPipeline.testAuc(options.getRegistry(), options.getModel()));
    if (options.getChallenger() != null && !options.getChallenger().isBlank()) {
      testAuc.putAll(QualityReportPipeline.testAuc(options.getRegistry(), options.getChallenger()));
    }
    return StreamQuality.of(predictions)
        .withLateness(StreamInputs.durationFlag("responseLateness", options.getResponseLateness()))
        .withScoreTtl(StreamInputs.durationFlag("scoreTtl", options.getScoreTtl()))
        .withLateFiringDelay(
            StreamInputs.durationFlag("qualityRefresh", options.getQualityRefresh()))
        .withMinPositives(options.getMinPositives())
        .withAucTolerance(options.getAucTolerance())
        .withTestAuc(testAuc);
  }

  private static boolean isOn(@Nullable String topic) {
    return topic != null && !topic.isBlank();
  }

  private static StreamingCustomerFeatures features(
      StreamOptions options,
      FeatureSpec spec,
      PCollectionView<Map<String, CustomerProfile>> profiles) {
    StreamingCustomerFeatures.Mode mode =
        options.getFeatureMode() == StreamOptions.FeatureMode.exact
            ? StreamingCustomerFeatures.Mode.EXACT
            : StreamingCustomerFeatures.Mode.LOW_LATENCY;
    return StreamingCustomerFeatures.of(spec)
        .withProfiles(profiles)
        .withMode(mode)
        .withAllowedLateness(
            StreamInputs.durationFlag("allowedLateness", options.getAllowedLateness()));
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
