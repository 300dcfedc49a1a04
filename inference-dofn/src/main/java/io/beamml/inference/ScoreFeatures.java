package io.beamml.inference;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.coders.SpecificRecordCoder;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.features.FeatureSpec;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Scores feature rows with XGBoost models from the registry, in batches, inside the pipeline.
 *
 * <pre>{@code
 * WithFailures.Result<PCollection<Prediction>, DeadLetter> scored =
 *     rows.apply("ScoreFeatures",
 *         ScoreFeatures.with(registry, ModelRef.parse("promo@champion"))
 *             .withChallenger(ModelRef.parse("promo@challenger"), 0.1)
 *             .withAliasRefresh(Duration.standardSeconds(10))
 *             .withExplanations(3));
 * }</pre>
 *
 * <p>References are resolved to versions when the pipeline is built, so by default a whole run
 * scores with the same versions even if an alias moves meanwhile. A streaming job that should
 * follow promotions without a restart adds {@link #withAliasRefresh}, e.g. every 10 seconds; the
 * DoFn takes its models from a {@link ModelSelector}, which then says which slots follow which
 * alias. A row is refused, as a dead letter, when its spec fingerprint differs from its model's or
 * it lacks a feature the model needs.
 */
public final class ScoreFeatures
    extends PTransform<
        PCollection<FeatureRow>, WithFailures.Result<PCollection<Prediction>, DeadLetter>> {

  public static final int DEFAULT_MAX_BATCH_SIZE = 512;

  private final String registryRoot;
  private final ModelRef champion;
  private final @Nullable ModelRef challenger;
  private final double challengerShare;
  private final int maxBatchSize;
  private final int explanations;
  private final @Nullable String expectedSpecFingerprint;
  private final @Nullable FeatureSpec featureSpec;
  private final @Nullable Duration aliasRefresh;

  private ScoreFeatures(
      String registryRoot,
      ModelRef champion,
      @Nullable ModelRef challenger,
      double challengerShare,
      int maxBatchSize,
      int explanations,
      @Nullable String expectedSpecFingerprint,
      @Nullable FeatureSpec featureSpec,
      @Nullable Duration aliasRefresh) {
    this.registryRoot = registryRoot;
    this.champion = champion;
    this.challenger = challenger;
    this.challengerShare = challengerShare;
    this.maxBatchSize = maxBatchSize;
    this.explanations = explanations;
    this.expectedSpecFingerprint = expectedSpecFingerprint;
    this.featureSpec = featureSpec;
    this.aliasRefresh = aliasRefresh;
  }

  /** Scores every row with {@code champion} from the registry at {@code registryRoot}. */
  public static ScoreFeatures with(String registryRoot, ModelRef champion) {
    ModelRegistry.at(registryRoot);
    if (champion == null) {
      throw new IllegalArgumentException(
          "a champion model reference is required, e.g. promo@champion");
    }
    return new ScoreFeatures(
        registryRoot, champion, null, 0.0, DEFAULT_MAX_BATCH_SIZE, 0, null, null, null);
  }

  /**
   * Scores a stable {@code share} of customers (by pseudonymised key, see {@link
   * ChampionChallenger#bucket}) with {@code challenger} instead.
   */
  public ScoreFeatures withChallenger(ModelRef challenger, double share) {
    if (challenger == null) {
      throw new IllegalArgumentException("challenger model reference is required");
    }
    if (!(share >= 0.0 && share <= 1.0)) {
      throw new IllegalArgumentException("challenger share must be in [0, 1], got " + share);
    }
    return new ScoreFeatures(
        registryRoot,
        champion,
        challenger,
        share,
        maxBatchSize,
        explanations,
        expectedSpecFingerprint,
        featureSpec,
        aliasRefresh);
  }

  /** Rows per predict call; larger batches amortise the call, smaller ones hold fewer rows. */
  public ScoreFeatures withMaxBatchSize(int maxBatchSize) {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("max batch size must be at least 1, got " + maxBatchSize);
    }
    return new ScoreFeatures(
        registryRoot,
        champion,
        challenger,
        challengerShare,
        maxBatchSize,
        explanations,
        expectedSpecFingerprint,
        featureSpec,
        aliasRefresh);
  }

  /** Adds the {@code topK} largest SHAP contributions to each prediction; 0 turns it off. */
  public ScoreFeatures withExplanations(int topK) {
    if (topK < 0) {
      throw new IllegalArgumentException("explanations top-k must be 0 (off) or more, got " + topK);
    }
    return new ScoreFeatures(
        registryRoot,
        champion,
        challenger,
        challengerShare,
        maxBatchSize,
        topK,
        expectedSpecFingerprint,
        featureSpec,
        aliasRefresh);
  }

  /**
   * Fails pipeline construction unless every model was trained under this spec fingerprint, so a
   * job never starts against a model that would refuse all its rows.
   */
  public ScoreFeatures withExpectedSpecFingerprint(String fingerprint) {
    if (fingerprint == null || fingerprint.isBlank()) {
      throw new IllegalArgumentException("expected spec fingerprint must not be empty");
    }
    return new ScoreFeatures(
        registryRoot,
        champion,
        challenger,
        challengerShare,
        maxBatchSize,
        explanations,
        fingerprint,
        featureSpec,
        aliasRefresh);
  }

  /**
   * The spec to vectorize rows with for imported models, whose metadata carries none; its feature
   * names must equal the model's. Models trained here carry their own spec and ignore this.
   */
  public ScoreFeatures withFeatureSpec(FeatureSpec spec) {
    if (spec == null) {
      throw new IllegalArgumentException("feature spec must not be null");
    }
    return new ScoreFeatures(
        registryRoot,
        champion,
        challenger,
        challengerShare,
        maxBatchSize,
        explanations,
        expectedSpecFingerprint,
        spec,
        aliasRefresh);
  }

  /**
   * Lets a running job follow its {@code name@alias} references. Each alias is re-read from the
   * registry at most once per {@code interval} per worker JVM, lazily, when a batch opens; the
   * version it has moved to is loaded once per JVM through {@link ModelCache} (SHA-256 verified, on
   * the scoring thread that first needs it) and scores every batch opened from then on.
   *
   * <p>The bound: a batch opened at least {@code interval} after a move (plus one registry read
   * that may be under way on another thread) is scored by the new version; rows already in an open
   * batch keep the version it started with, and a batch closes when full or when its bundle ends.
   * The old version's last prediction therefore leaves within {@code interval} plus one batch (at
   * most one bundle) of the move, while rows are flowing; every prediction's {@code model_version}
   * names the version that scored it.
   *
   * <p>If the re-read fails (counted as {@code alias_refresh_failures}), or the new version cannot
   * be loaded or was trained under another spec than {@link #withExpectedSpecFingerprint} names
   * ({@code model_switch_failures}), the version in use keeps scoring and the next attempt comes an
   * interval later. Pinned {@code name:version} references never change. Off by default (and with
   * {@code Duration.ZERO}): versions are then resolved once, when the pipeline is built, so a batch
   * run is reproducible.
   */
  public ScoreFeatures withAliasRefresh(Duration interval) {
    if (interval == null || interval.isShorterThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "alias refresh interval must be zero (off) or positive, got " + interval);
    }
    return new ScoreFeatures(
        registryRoot,
        champion,
        challenger,
        challengerShare,
        maxBatchSize,
        explanations,
        expectedSpecFingerprint,
        featureSpec,
        interval.isEqual(Duration.ZERO) ? null : interval);
  }

  /**
   * Resolves the references to versions now, checking the expected spec fingerprint if given. With
   * {@link #withAliasRefresh} on, alias references then follow their alias from there.
   */
  public ModelSelector resolveSelector() {
    ModelRegistry registry = ModelRegistry.at(registryRoot);
    ModelKey championKey = resolve(registry, champion);
    ModelKey challengerKey = challenger == null ? null : resolve(registry, challenger);
    ChampionChallenger resolved =
        ChampionChallenger.split(championKey, challengerKey, challengerShare);
    Map<Integer, String> followed = new HashMap<>();
    if (champion.isAlias()) {
      followed.put(0, champion.alias());
    }
    if (challenger != null && challenger.isAlias()) {
      followed.put(1, challenger.alias());
    }
    if (aliasRefresh == null || followed.isEmpty()) {
      return resolved;
    }
    return AliasFollowingSelector.of(resolved, followed, aliasRefresh);
  }

  private ModelKey resolve(ModelRegistry registry, ModelRef ref) {
    String version = registry.resolve(ref);
    if (expectedSpecFingerprint != null) {
      ModelMetadata metadata = registry.metadata(ref.name(), version);
      String fingerprint = metadata.specFingerprint;
      if (fingerprint == null && featureSpec != null) {
        fingerprint = featureSpec.fingerprint();
      }
      if (!expectedSpecFingerprint.equals(fingerprint)) {
        throw new IllegalArgumentException(
            "model "
                + ref
                + " (version "
                + version
                + ") was trained under feature spec "
                + fingerprint
                + ", but this pipeline expects "
                + expectedSpecFingerprint);
      }
    }
    return new ModelKey(registryRoot, ref.name(), version);
  }

  @Override
  public WithFailures.Result<PCollection<Prediction>, DeadLetter> expand(
      PCollection<FeatureRow> rows) {
    TupleTag<Prediction> predictionsTag = new TupleTag<Prediction>() {};
    TupleTag<DeadLetter> failuresTag = new TupleTag<DeadLetter>() {};
    PCollectionTuple scored =
        rows.apply(
            "ScoreInBatches",
            ParDo.of(
                    new ScoreFn(
                        resolveSelector(),
                        featureSpec,
                        expectedSpecFingerprint,
                        maxBatchSize,
                        explanations,
                        predictionsTag,
                        failuresTag))
                .withOutputTags(predictionsTag, TupleTagList.of(failuresTag)));
    PCollection<Prediction> predictions =
        scored.get(predictionsTag).setCoder(SpecificRecordCoder.of(Prediction.class));
    PCollection<DeadLetter> failures = scored.get(failuresTag).setCoder(DeadLetters.coder());
    return WithFailures.Result.of(predictions, failures);
  }
}
