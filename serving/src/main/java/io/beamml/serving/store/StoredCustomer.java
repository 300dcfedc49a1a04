package io.beamml.serving.store;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What the online store holds for one customer: the events of the longest window before the newest
 * (sorted by {@code FeatureCalculator.EVENT_ORDER}), the profile if any, and the spec fingerprint
 * the history was kept for (null when nothing is stored: an unknown customer).
 */
public record StoredCustomer(
    List<CustomerEvent> events,
    @Nullable CustomerProfile profile,
    @Nullable String specFingerprint) {

  public static final StoredCustomer UNKNOWN = new StoredCustomer(List.of(), null, null);

  /** Whether anything at all is stored for the customer. */
  public boolean known() {
    return !events.isEmpty() || profile != null || specFingerprint != null;
  }
}
