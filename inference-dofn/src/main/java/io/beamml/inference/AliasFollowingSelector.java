package io.beamml.inference;

import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Routes customers exactly as the selector it wraps, but lets chosen slots follow their alias: the
 * scoring DoFn re-resolves a followed alias through the JVM's {@link AliasFollower} at most once
 * per interval and scores each new batch with the version the alias points at then. Slots not
 * followed keep their version for the whole run, as pinned {@code name:version} references always
 * do.
 */
public final class AliasFollowingSelector implements ModelSelector {

  private final ModelSelector resolved;
  private final @Nullable String[] aliases;
  private final Duration interval;

  private AliasFollowingSelector(
      ModelSelector resolved, @Nullable String[] aliases, Duration interval) {
    this.resolved = resolved;
    this.aliases = aliases;
    this.interval = interval;
  }

  /**
   * Follows {@code aliasBySlot} (slot index into {@code resolved.models()} to the alias that slot
   * was resolved from) every {@code interval}; slots absent from the map stay pinned.
   */
  public static AliasFollowingSelector of(
      ModelSelector resolved, Map<Integer, String> aliasBySlot, Duration interval) {
    if (resolved == null || aliasBySlot == null || interval == null) {
      throw new IllegalArgumentException(
          "a resolved selector, the followed aliases and an interval are required");
    }
    if (!interval.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException(
          "alias refresh interval must be positive, got " + interval);
    }
    List<DeployedModel> models = resolved.models();
    String[] aliases = new String[models.size()];
    for (Map.Entry<Integer, String> e : aliasBySlot.entrySet()) {
      int slot = e.getKey();
      if (slot < 0 || slot >= models.size()) {
        throw new IllegalArgumentException(
            "no slot " + slot + " among " + models.size() + " models");
      }
      if (e.getValue() == null || e.getValue().isBlank()) {
        throw new IllegalArgumentException("slot " + slot + " needs an alias to follow");
      }
      aliases[slot] = e.getValue();
    }
    return new AliasFollowingSelector(resolved, aliases, interval);
  }

  @Override
  public List<DeployedModel> models() {
    return resolved.models();
  }

  @Override
  public int select(String customerKey) {
    return resolved.select(customerKey);
  }

  @Override
  public @Nullable String followedAlias(int slot) {
    return aliases[slot];
  }

  @Override
  public Duration aliasRefreshInterval() {
    return interval;
  }
}
