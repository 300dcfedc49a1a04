package io.beamml.training;

import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * When an alias such as {@code champion} may move to a candidate: its test AUC must reach a floor
 * and may not fall more than a small margin below the current holder's. A model without a test AUC
 * (an import never evaluated) does not pass; only a forced move can take it.
 */
public final class PromotionGate {

  public static final double DEFAULT_MIN_AUC = 0.6;
  public static final double DEFAULT_MAX_AUC_DROP = 0.01;

  private final double minAuc;
  private final double maxAucDrop;

  private PromotionGate(double minAuc, double maxAucDrop) {
    if (!(minAuc >= 0 && minAuc <= 1)) {
      throw new IllegalArgumentException("--minAuc must be in [0, 1], got " + minAuc);
    }
    if (!(maxAucDrop >= 0)) {
      throw new IllegalArgumentException("--maxAucDrop must be >= 0, got " + maxAucDrop);
    }
    this.minAuc = minAuc;
    this.maxAucDrop = maxAucDrop;
  }

  public static PromotionGate of(double minAuc, double maxAucDrop) {
    return new PromotionGate(minAuc, maxAucDrop);
  }

  /**
   * @param candidate e.g. {@code promo:3}
   * @param holder the alias's current version, e.g. {@code promo:2}, or null if the alias is new
   * @param basis how the AUCs were obtained, for the explanation
   */
  public GateVerdict check(
      String alias,
      String candidate,
      @Nullable Double candidateAuc,
      @Nullable String holder,
      @Nullable Double holderAuc,
      String basis) {
    if (candidateAuc == null || candidateAuc.isNaN()) {
      return new GateVerdict(
          false,
          candidate
              + " has no test AUC (never evaluated): register it with --testSet=DIR, or pass --testSet=DIR to promote");
    }
    if (candidateAuc < minAuc) {
      return new GateVerdict(
          false,
          String.format(
              Locale.ROOT,
              "%s test AUC %.4f is below the minimum %.4f (--minAuc) [%s]",
              candidate,
              candidateAuc,
              minAuc,
              basis));
    }
    if (holder == null) {
      return new GateVerdict(
          true,
          String.format(
              Locale.ROOT,
              "%s test AUC %.4f >= minimum %.4f; %s had no holder [%s]",
              candidate,
              candidateAuc,
              minAuc,
              alias,
              basis));
    }
    if (holderAuc == null || holderAuc.isNaN()) {
      return new GateVerdict(
          true,
          String.format(
              Locale.ROOT,
              "%s test AUC %.4f >= minimum %.4f; %s %s has no test AUC to compare with [%s]",
              candidate,
              candidateAuc,
              minAuc,
              alias,
              holder,
              basis));
    }
    double drop = holderAuc - candidateAuc;
    if (drop > maxAucDrop) {
      return new GateVerdict(
          false,
          String.format(
              Locale.ROOT,
              "%s test AUC %.4f is %.4f below %s %s test AUC %.4f, more than the allowed drop %.4f (--maxAucDrop) [%s]",
              candidate,
              candidateAuc,
              drop,
              alias,
              holder,
              holderAuc,
              maxAucDrop,
              basis));
    }
    return new GateVerdict(
        true,
        String.format(
            Locale.ROOT,
            "%s test AUC %.4f >= minimum %.4f and within %.4f of %s %s test AUC %.4f [%s]",
            candidate,
            candidateAuc,
            minAuc,
            maxAucDrop,
            alias,
            holder,
            holderAuc,
            basis));
  }
}
