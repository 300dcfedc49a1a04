package io.beamml.inference.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One line of {@code alias-history.jsonl}: which version an alias pointed at from when on, or a
 * candidate the gate refused (the alias stayed: {@code fromVersion} equals {@code toVersion}, so
 * the history stays one chain and {@link ModelRegistry#versionAt} reads it unchanged).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class AliasChange {
  /** ISO-8601 instant of the move. */
  public String time;

  public String alias;

  /** The version the alias pointed at before, or null for a new alias. */
  public String fromVersion;

  public String toVersion;
  public boolean forced;
  public String reason;
  public String actor;

  /**
   * {@link #MOVED} or {@link #REFUSED}; absent on lines written before refusals were recorded
   * (moves).
   */
  public String outcome;

  /** The version the decision was about: the new holder of a move, the refused one of a refusal. */
  public String candidateVersion;

  public static final String MOVED = "moved";
  public static final String REFUSED = "refused";

  /** True for a move (including lines without an outcome), false for a recorded refusal. */
  public boolean moved() {
    return !REFUSED.equals(outcome);
  }
}
