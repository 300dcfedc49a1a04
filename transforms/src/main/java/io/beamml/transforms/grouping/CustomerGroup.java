package io.beamml.transforms.grouping;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.LabelledPromo;
import io.beamml.transforms.features.FeatureCalculator;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.values.KV;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One customer's records as {@link GroupByCustomer} grouped them, with the profile choice and the
 * count of extra profiles that every per-customer join makes the same way.
 */
public final class CustomerGroup {

  private final String customerKey;
  private final CoGbkResult grouped;
  private final @Nullable CustomerProfile profile;
  private final int profileCount;

  private CustomerGroup(String customerKey, CoGbkResult grouped) {
    this.customerKey = customerKey;
    this.grouped = grouped;
    Iterable<CustomerProfile> profiles = grouped.getAll(CustomerInputs.PROFILES);
    int n = 0;
    for (CustomerProfile ignored : profiles) {
      n++;
    }
    this.profileCount = n;
    this.profile =
        n == 0
            ? null
            : n == 1 ? profiles.iterator().next() : FeatureCalculator.chooseProfile(profiles);
  }

  /**
   * Reads a group and adds its extra profiles (beyond the one used; deduplication should leave
   * none) to {@code duplicateProfiles}.
   */
  public static CustomerGroup of(KV<String, CoGbkResult> element, Counter duplicateProfiles) {
    CustomerGroup group = new CustomerGroup(element.getKey(), element.getValue());
    if (group.profileCount > 1) {
      duplicateProfiles.inc(group.profileCount - 1);
    }
    return group;
  }

  public String customerKey() {
    return customerKey;
  }

  /** The profile to use (see {@link FeatureCalculator#chooseProfile}); null when there is none. */
  public @Nullable CustomerProfile profile() {
    return profile;
  }

  /** How many profiles the customer has (0 when there is none). */
  public int profileCount() {
    return profileCount;
  }

  /** The customer's events, in no particular order. */
  public Iterable<CustomerEvent> events() {
    return grouped.getAll(CustomerInputs.EVENTS);
  }

  /** The customer's events in {@link FeatureCalculator#EVENT_ORDER}, as a new list. */
  public List<CustomerEvent> sortedEvents() {
    List<CustomerEvent> sorted = new ArrayList<>();
    for (CustomerEvent e : events()) {
      sorted.add(e);
    }
    sorted.sort(FeatureCalculator.EVENT_ORDER);
    return sorted;
  }

  /** The customer's promotions; empty unless the inputs had {@link CustomerInputs#withPromos}. */
  public Iterable<LabelledPromo> promos() {
    if (!grouped.getSchema().getTupleTagList().getAll().contains(CustomerInputs.PROMOS)) {
      return List.of();
    }
    return grouped.getAll(CustomerInputs.PROMOS);
  }
}
