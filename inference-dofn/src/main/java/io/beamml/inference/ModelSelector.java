package io.beamml.inference;

import java.io.Serializable;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Decides which deployed model scores a customer's row. The scoring DoFn only asks this interface,
 * so where the versions come from (resolved once when the pipeline is built, or following alias
 * moves while it runs, see {@link AliasFollowingSelector}) can change without touching the scoring
 * path.
 */
public interface ModelSelector extends Serializable {

  /** Every model this selector may choose, in a fixed order; never empty. */
  List<DeployedModel> models();

  /** Index into {@link #models()} of the model that scores this customer. */
  int select(String customerKey);

  /**
   * The alias whose moves slot {@code slot} follows while the job runs, or null (the default) when
   * the slot keeps the version of {@link #models()} for the whole run. A followed slot's {@link
   * #models()} entry is the version it starts from.
   */
  default @Nullable String followedAlias(int slot) {
    return null;
  }

  /** Least time between two re-reads of a followed alias in one JVM; unused if none is followed. */
  default Duration aliasRefreshInterval() {
    return Duration.ZERO;
  }
}
