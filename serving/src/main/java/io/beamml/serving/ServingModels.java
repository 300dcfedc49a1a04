package io.beamml.serving;

import io.beamml.inference.AliasFollower;
import io.beamml.inference.ChampionChallenger;
import io.beamml.inference.DeployedModel;
import io.beamml.inference.LoadedModel;
import io.beamml.inference.ModelCache;
import io.beamml.inference.ModelKey;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a server scores with: a champion and an optional challenger from the registry, each by
 * {@code NAME@ALIAS} (followed while the server runs, through the JVM's {@link AliasFollower}) or
 * {@code NAME:VERSION}. Versions are loaded through {@link ModelCache} (SHA-256 verified); a
 * background thread re-reads the aliases every refresh interval and swaps a moved alias's model in
 * atomically, so requests never wait for a load. The previous model is released a grace period
 * later, once requests that picked it up have finished. A version that fails to load is refused and
 * the current one kept; the next interval tries again. Customers are split between the variants by
 * {@link ChampionChallenger#bucket}, as in the batch and streaming scorers.
 */
public final class ServingModels implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServingModels.class);
  private static final long RELEASE_GRACE_MILLIS = 30_000;

  /** One model in the role it plays now. */
  public record Active(LoadedModel model, String variant) {
    public String name() {
      return model.key().name();
    }

    public String version() {
      return model.key().version();
    }
  }

  private final List<Slot> slots;
  private final double challengerShare;
  private final long refreshMillis;
  private final ScheduledExecutorService background;

  private ServingModels(List<Slot> slots, double challengerShare, long refreshMillis) {
    this.slots = slots;
    this.challengerShare = challengerShare;
    this.refreshMillis = refreshMillis;
    this.background =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "serving-model-refresh");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Loads the champion (and the challenger, if given) now and follows their aliases every {@code
   * refresh}. Fails if a first version cannot be loaded.
   */
  public static ServingModels start(
      String registry,
      String champion,
      @Nullable String challenger,
      double challengerShare,
      Duration refresh) {
    if (!(challengerShare >= 0 && challengerShare <= 1)) {
      throw new IllegalArgumentException(
          "--challengerShare must be in [0, 1], got " + challengerShare);
    }
    if (refresh.isNegative() || refresh.isZero()) {
      throw new IllegalArgumentException(
          "the model refresh interval must be positive, got " + refresh);
    }
    List<Slot> slots = new ArrayList<>();
    slots.add(Slot.open(registry, ModelRef.parse(champion), DeployedModel.CHAMPION));
    if (challenger != null && !challenger.isBlank()) {
      slots.add(Slot.open(registry, ModelRef.parse(challenger), DeployedModel.CHALLENGER));
    }
    ServingModels models = new ServingModels(slots, challengerShare, refresh.toMillis());
    models.background.scheduleWithFixedDelay(
        models::refreshQuietly, models.refreshMillis, models.refreshMillis, TimeUnit.MILLISECONDS);
    return models;
  }

  /** The model that scores this customer now. */
  public Active forCustomer(String customerKey) {
    if (slots.size() > 1 && ChampionChallenger.bucket(customerKey) < challengerShare) {
      return slots.get(1).active.get();
    }
    return slots.get(0).active.get();
  }

  public Active champion() {
    return slots.get(0).active.get();
  }

  /** Every model served now, champion first. */
  public List<Active> active() {
    List<Active> out = new ArrayList<>(slots.size());
    for (Slot s : slots) {
      out.add(s.active.get());
    }
    return out;
  }

  /** The served model of this name and version, or null. */
  public @Nullable Active version(String name, String version) {
    for (Slot s : slots) {
      Active a = s.active.get();
      if (a.name().equals(name) && a.version().equals(version)) {
        return a;
      }
    }
    return null;
  }

  public String modelName() {
    return champion().name();
  }

  /** Re-reads every followed alias now (if an interval has passed) and swaps moved models in. */
  public void refresh(long nowMillis) {
    for (Slot s : slots) {
      s.refresh(nowMillis, refreshMillis, background);
    }
  }

  private void refreshQuietly() {
    try {
      refresh(System.currentTimeMillis());
    } catch (RuntimeException e) {
      LOG.warn("Model refresh failed; keeps the current models: {}", e.toString());
    }
  }

  @Override
  public void close() {
    background.shutdownNow();
    for (Slot s : slots) {
      s.lease.get().close();
    }
  }

  /**
   * One role's model: its reference, its follower (null for a fixed version) and its current lease.
   */
  private static final class Slot {
    final String registry;
    final ModelRef ref;
    final String variant;
    final @Nullable AliasFollower follower;
    final AtomicReference<Active> active = new AtomicReference<>();
    final AtomicReference<ModelCache.Lease> lease = new AtomicReference<>();
    @Nullable String refused;

    private Slot(String registry, ModelRef ref, String variant, @Nullable AliasFollower follower) {
      this.registry = registry;
      this.ref = ref;
      this.variant = variant;
      this.follower = follower;
    }

    static Slot open(String registry, ModelRef ref, String variant) {
      String version = ModelRegistry.at(registry).resolve(ref);
      AliasFollower follower =
          ref.isAlias() ? AliasFollower.shared(registry, ref.name(), ref.alias(), version) : null;
      Slot slot = new Slot(registry, ref, variant, follower);
      String first = follower == null ? version : follower.version();
      slot.install(ModelCache.acquire(new ModelKey(registry, ref.name(), first), null));
      LOG.info("Serving {} as {}: version {}", ref, variant, first);
      return slot;
    }

    private void install(ModelCache.Lease next) {
      lease.set(next);
      active.set(new Active(next.model(), variant));
    }

    void refresh(long now, long intervalMillis, ScheduledExecutorService background) {
      if (follower == null) {
        return;
      }
      follower.refreshIfDue(now, intervalMillis);
      String target = follower.version();
      Active current = active.get();
      if (target.equals(current.version()) || target.equals(refused)) {
        if (target.equals(refused)) {
          refused = null; // tried again at the next interval
        }
        return;
      }
      ModelCache.Lease next;
      try {
        next = ModelCache.acquire(new ModelKey(registry, ref.name(), target), null);
      } catch (RuntimeException e) {
        refused = target;
        LOG.warn(
            "Cannot switch {} ({}) to version {}; keeps version {}: {}",
            ref,
            variant,
            target,
            current.version(),
            e.toString());
        return;
      }
      ModelCache.Lease previous = lease.get();
      install(next);
      LOG.info(
          "Model {} ({}) switched from version {} to version {}",
          ref,
          variant,
          current.version(),
          target);
      background.schedule(previous::close, RELEASE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }
}
