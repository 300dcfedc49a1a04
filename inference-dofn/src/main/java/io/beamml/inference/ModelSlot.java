package io.beamml.inference;

import io.beamml.transforms.features.FeatureSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model slot of one scoring DoFn instance: the version it scores with, its hold on that version
 * in {@link ModelCache} and the batch it is filling. A slot that follows an alias asks its {@link
 * AliasFollower} before each batch, that is only while its buffer is empty, so a batch is always
 * scored by the model it started with; a new version is loaded through the cache (once per JVM,
 * SHA-256 verified) and the old hold released at once, since nothing of this instance uses it any
 * more. Other instances keep their own holds until they switch, so no model is freed while a batch
 * of any thread uses it.
 *
 * <p>A version that cannot be loaded, or that was trained under another spec than the pipeline
 * expects, is refused: the slot keeps scoring with the version it has and tries again after an
 * interval. Metrics are kept until {@link #reportMetrics} is called inside a bundle, because slots
 * also load in {@code @Setup}, where Beam has nowhere to report them. Not thread safe: one per DoFn
 * instance.
 */
final class ModelSlot implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ModelSlot.class);

  private final @Nullable AliasFollower follower;
  private final long intervalMillis;
  private final LongSupplier clock;
  private final @Nullable FeatureSpec pipelineSpec;
  private final @Nullable String expectedSpecFingerprint;
  private final int maxBatchSize;
  private final int topK;

  private DeployedModel deployment;
  private ModelCache.Lease lease;
  private BatchScorer scorer;
  private @Nullable String refusedVersion;
  private long retryAtMillis;

  private final List<Long> unreportedLoadMillis = new ArrayList<>();
  private int unreportedSwitches;
  private int unreportedSwitchFailures;
  private int unreportedRefreshFailures;
  private final Counter switches =
      Metrics.counter(InferenceMetrics.NAMESPACE, InferenceMetrics.MODEL_SWITCHES);
  private final Counter switchFailures =
      Metrics.counter(InferenceMetrics.NAMESPACE, InferenceMetrics.MODEL_SWITCH_FAILURES);
  private final Counter refreshFailures =
      Metrics.counter(InferenceMetrics.NAMESPACE, InferenceMetrics.ALIAS_REFRESH_FAILURES);
  private final Distribution loadMillis =
      Metrics.distribution(InferenceMetrics.NAMESPACE, InferenceMetrics.MODEL_LOAD_MILLIS);

  private ModelSlot(
      @Nullable AliasFollower follower,
      long intervalMillis,
      LongSupplier clock,
      @Nullable FeatureSpec pipelineSpec,
      @Nullable String expectedSpecFingerprint,
      int maxBatchSize,
      int topK) {
    this.follower = follower;
    this.intervalMillis = intervalMillis;
    this.clock = clock;
    this.pipelineSpec = pipelineSpec;
    this.expectedSpecFingerprint = expectedSpecFingerprint;
    this.maxBatchSize = maxBatchSize;
    this.topK = topK;
  }

  /**
   * Loads the slot's first model: {@code resolved} when not following, else the version the
   * follower knows after a due re-read, falling back to {@code resolved} if that version is
   * refused. Fails if the version it ends up with cannot be loaded.
   */
  static ModelSlot open(
      DeployedModel resolved,
      @Nullable AliasFollower follower,
      long intervalMillis,
      LongSupplier clock,
      @Nullable FeatureSpec pipelineSpec,
      @Nullable String expectedSpecFingerprint,
      int maxBatchSize,
      int topK) {
    if (follower != null && intervalMillis <= 0) {
      throw new IllegalArgumentException(
          "a followed alias needs a positive refresh interval, got " + intervalMillis);
    }
    ModelSlot slot =
        new ModelSlot(
            follower,
            intervalMillis,
            clock,
            pipelineSpec,
            expectedSpecFingerprint,
            maxBatchSize,
            topK);
    if (follower == null) {
      slot.install(resolved, slot.acquire(resolved));
      return slot;
    }
    long now = clock.getAsLong();
    slot.refresh(now);
    String current = follower.version();
    if (!current.equals(resolved.key().version())) {
      DeployedModel followed = withVersion(resolved, current);
      try {
        slot.install(followed, slot.acquire(followed));
        slot.announce(resolved.key().version(), current);
        return slot;
      } catch (RuntimeException e) {
        slot.refuse(current, resolved.key().version(), now, e);
      }
    }
    slot.install(resolved, slot.acquire(resolved));
    return slot;
  }

  /**
   * The batch the next row joins. When the slot follows an alias and no batch is open, this is
   * where a move is noticed and the switch made; otherwise it is a field read.
   */
  BatchScorer scorerForRow() {
    if (follower != null && scorer.size() == 0) {
      follow();
    }
    return scorer;
  }

  /** The current batch, without looking for a newer version: for flushing and discarding. */
  BatchScorer scorer() {
    return scorer;
  }

  DeployedModel deployment() {
    return deployment;
  }

  private void follow() {
    long now = clock.getAsLong();
    refresh(now);
    String target = follower.version();
    String current = deployment.key().version();
    if (target == current || target.equals(current)) {
      return;
    }
    if (target.equals(refusedVersion) && now - retryAtMillis < 0) {
      return;
    }
    switchTo(target, now);
  }

  private void refresh(long now) {
    if (follower.refreshIfDue(now, intervalMillis) == AliasFollower.Refresh.FAILED) {
      unreportedRefreshFailures++;
    }
  }

  private void switchTo(String version, long now) {
    DeployedModel next = withVersion(deployment, version);
    ModelCache.Lease nextLease;
    try {
      nextLease = acquire(next);
    } catch (RuntimeException e) {
      refuse(version, deployment.key().version(), now, e);
      return;
    }
    String from = deployment.key().version();
    ModelCache.Lease previous = lease;
    install(next, nextLease);
    refusedVersion = null;
    // The buffer is empty and the old scorer dropped: nothing of this instance uses the old model.
    previous.close();
    announce(from, version);
  }

  private ModelCache.Lease acquire(DeployedModel model) {
    ModelCache.Lease acquired = ModelCache.acquire(model.key(), pipelineSpec);
    String fingerprint = acquired.model().specFingerprint();
    if (expectedSpecFingerprint != null && !expectedSpecFingerprint.equals(fingerprint)) {
      acquired.close();
      throw new IllegalStateException(
          "model "
              + model.key().name()
              + ":"
              + model.key().version()
              + " was trained under feature spec "
              + fingerprint
              + ", but this pipeline expects "
              + expectedSpecFingerprint);
    }
    return acquired;
  }

  private void install(DeployedModel model, ModelCache.Lease acquired) {
    BatchScorer next;
    try {
      next = new BatchScorer(acquired.model(), model, maxBatchSize, topK);
    } catch (RuntimeException e) {
      acquired.close();
      throw e;
    }
    deployment = model;
    lease = acquired;
    scorer = next;
    if (acquired.loadedByThisLease()) {
      unreportedLoadMillis.add(acquired.model().loadMillis());
    }
  }

  private void refuse(String version, String keeps, long now, RuntimeException e) {
    refusedVersion = version;
    retryAtMillis = now + intervalMillis;
    unreportedSwitchFailures++;
    if (follower.firstRefusal(version)) {
      // The message names the model, its files and hashes, never rows.
      LOG.warn(
          "Cannot switch model {} ({}) to version {}; keeps scoring with version {} and tries again each interval: {}",
          follower.ref(),
          deployment == null ? "starting" : deployment.variant(),
          version,
          keeps,
          e.toString());
    }
  }

  private void announce(String from, String to) {
    if (follower.announceSwitch(to)) {
      unreportedSwitches++;
      LOG.info(
          "Model {} ({}) switched from version {} to version {}",
          follower.ref(),
          deployment.variant(),
          from,
          to);
    }
  }

  private static DeployedModel withVersion(DeployedModel model, String version) {
    ModelKey key = model.key();
    return new DeployedModel(
        new ModelKey(key.registryRoot(), key.name(), version), model.variant());
  }

  /** Reports what happened since the last call; call it inside a bundle. */
  void reportMetrics() {
    if (!unreportedLoadMillis.isEmpty()) {
      for (long millis : unreportedLoadMillis) {
        loadMillis.update(millis);
      }
      unreportedLoadMillis.clear();
    }
    // Counted even when zero: the counters exist from the first bundle on, so a dashboard or an
    // alert on their rate sees 0 rather than nothing.
    switches.inc(unreportedSwitches);
    unreportedSwitches = 0;
    switchFailures.inc(unreportedSwitchFailures);
    unreportedSwitchFailures = 0;
    refreshFailures.inc(unreportedRefreshFailures);
    unreportedRefreshFailures = 0;
  }

  /** What {@link #reportMetrics} would count now: for tests. */
  Unreported unreported() {
    return new Unreported(
        unreportedSwitches,
        unreportedSwitchFailures,
        unreportedRefreshFailures,
        unreportedLoadMillis.size());
  }

  record Unreported(int switches, int switchFailures, int refreshFailures, int loads) {}

  @Override
  public void close() {
    if (lease != null) {
      lease.close();
    }
  }
}
