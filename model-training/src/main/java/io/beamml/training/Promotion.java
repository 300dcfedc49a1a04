package io.beamml.training;

import io.beamml.inference.registry.AliasChange;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What {@link PromoteModel} decided: the gate's verdict with its reason, and the history line it
 * wrote (a move, a forced move or, when asked to, a recorded refusal). The CLI prints it and picks
 * the exit code: a refusal is 3.
 *
 * @param name the model
 * @param alias the alias judged
 * @param candidateVersion the version judged
 * @param holderVersion the alias's holder the gate compared with, null if the alias was new
 * @param verdict the gate's verdict; null when the alias already pointed at the candidate
 * @param change the history line written, null if nothing was written
 */
public record Promotion(
    String name,
    String alias,
    String candidateVersion,
    @Nullable String holderVersion,
    @Nullable GateVerdict verdict,
    @Nullable AliasChange change) {

  /**
   * True when the alias now points at the candidate because of this call (gate passed or forced).
   */
  public boolean moved() {
    return change != null && change.moved();
  }

  /**
   * True when the gate refused and the alias was not forced: it stayed at {@link #holderVersion}.
   */
  public boolean refused() {
    return verdict != null && !verdict.passed() && !moved();
  }

  /** True when the alias already pointed at the candidate: nothing was judged or written. */
  public boolean alreadyThere() {
    return verdict == null;
  }
}
