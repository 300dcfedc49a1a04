package io.beamml.inference;

import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Splits customers between a champion and an optional challenger by a stable bucket of their
 * pseudonymised key, so a customer sees the same variant in every run, batch or streaming, without
 * any state.
 */
public final class ChampionChallenger implements ModelSelector {

  private final List<DeployedModel> models;
  private final double challengerShare;

  private ChampionChallenger(List<DeployedModel> models, double challengerShare) {
    this.models = models;
    this.challengerShare = challengerShare;
  }

  /** Every customer gets the champion. */
  public static ChampionChallenger championOnly(ModelKey champion) {
    return new ChampionChallenger(
        List.of(new DeployedModel(champion, DeployedModel.CHAMPION)), 0.0);
  }

  /** Customers whose {@link #bucket} is below {@code share} get the challenger. */
  public static ChampionChallenger split(
      ModelKey champion, @Nullable ModelKey challenger, double share) {
    if (challenger == null) {
      return championOnly(champion);
    }
    if (!(share >= 0.0 && share <= 1.0)) {
      throw new IllegalArgumentException("challenger share must be in [0, 1], got " + share);
    }
    return new ChampionChallenger(
        List.of(
            new DeployedModel(champion, DeployedModel.CHAMPION),
            new DeployedModel(challenger, DeployedModel.CHALLENGER)),
        share);
  }

  @Override
  public List<DeployedModel> models() {
    return models;
  }

  public double challengerShare() {
    return challengerShare;
  }

  @Override
  public int select(String customerKey) {
    return models.size() > 1 && bucket(customerKey) < challengerShare ? 1 : 0;
  }

  /**
   * A customer's place in [0, 1): the first 8 hex digits of the key (pseudonymised keys are hex
   * digests, so these are uniform), or for any other key a 32-bit FNV-1a hash of it.
   */
  public static double bucket(String customerKey) {
    long value = 0;
    boolean hex = customerKey.length() >= 8;
    for (int i = 0; hex && i < 8; i++) {
      int digit = Character.digit(customerKey.charAt(i), 16);
      if (digit < 0) {
        hex = false;
      } else {
        value = (value << 4) | digit;
      }
    }
    if (!hex) {
      int hash = 0x811c9dc5;
      for (int i = 0; i < customerKey.length(); i++) {
        hash ^= customerKey.charAt(i);
        hash *= 0x01000193;
      }
      value = hash & 0xffffffffL;
    }
    return value / 4294967296.0;
  }
}
