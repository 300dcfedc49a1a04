package io.beamml.inference.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** One line of {@code alias-history.jsonl}: which version an alias pointed at from when on. */
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
}
