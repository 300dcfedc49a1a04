package io.beamml.transforms.grouping;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.LabelledPromo;
import io.beamml.transforms.features.FeatureCalculator;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.values.KV;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One customer's records as {@link GroupByCustomer} grouped them, read in one pass (runners may
 * hand a group over as an iterable that can be read only once), with the profile choice and the
 * count of extra profiles that every per-customer join makes the same way. It holds the customer's
 * records, which every consumer needs sorted anyway, and nobody else's.
 */
public final class CustomerGroup {

  private final String customerKey;
  private final List<CustomerEvent> events = new ArrayList<>();
  private final List<LabelledPromo> promos = new ArrayList<>();
  private final @Nullable CustomerProfile profile;
  private final int profileCount;
  private boolean sorted;

  private CustomerGroup(String customerKey, Iterable<RawUnionValue> records) {
    this.customerKey = customerKey;
    List<CustomerProfile> profiles = new ArrayList<>(1);
    for (RawUnionValue record : records) {
      switch (record.getUnionTag()) {
        case GroupByCustomer.EVENT:
          events.add((CustomerEvent) record.getValue());
          break;
        case GroupByCustomer.PROFILE:
          profiles.add((CustomerProfile) record.getValue());
          break;
        case GroupByCustomer.PROMO:
          promos.add((LabelledPromo) record.getValue());
          break;
        default:
          throw new IllegalArgumentException(
              "not a customer record tag: " + record.getUnionTag() + " for " + customerKey);
      }
    }
    this.profileCount = profiles.size();
    this.profile =
        profiles.isEmpty()
            ? null
            : profiles.size() == 1 ? profiles.get(0) : FeatureCalculator.chooseProfile(profiles);
  }

  /**
   * Reads a group and adds its extra profiles (beyond the one used; deduplication should leave
   * none) to {@code duplicateProfiles}.
   */
  public static CustomerGroup of(
      KV<String, Iterable<RawUnionValue>> element, Counter duplicateProfiles) {
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

  /** The customer's events in {@link FeatureCalculator#EVENT_ORDER} (sorted on first call). */
  public List<CustomerEvent> sortedEvents() {
    if (!sorted) {
      events.sort(FeatureCalculator.EVENT_ORDER);
      sorted = true;
    }
    return events;
  }

  /** The customer's promotions; empty unless the inputs had {@link CustomerInputs#withPromos}. */
  public List<LabelledPromo> promos() {
    return promos;
  }
}
