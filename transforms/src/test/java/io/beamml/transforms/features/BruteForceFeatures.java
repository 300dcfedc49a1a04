package io.beamml.transforms.features;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately naive reading of the feature semantics, written without FeatureCalculator: for
 * every as-of time it scans every event. Quadratic, obviously right, and only for tests.
 */
final class BruteForceFeatures {

  private BruteForceFeatures() {}

  /** One row per event, as of its own time, in input order. */
  static List<FeatureRow> rows(
      FeatureSpec spec, String customerKey, List<CustomerEvent> events, CustomerProfile profile) {
    List<FeatureRow> rows = new ArrayList<>();
    for (CustomerEvent e : events) {
      rows.add(
          FeatureRow.newBuilder()
              .setEventId(e.getEventId())
              .setCustomerKey(customerKey)
              .setEventTime(e.getEventTime())
              .setEventType(e.getEventType())
              .setSpecFingerprint(spec.fingerprint())
              .setFeatures(asOf(spec, events, profile, e.getEventTime()))
              .build());
    }
    return rows;
  }

  static List<FeatureValue> asOf(
      FeatureSpec spec, List<CustomerEvent> events, CustomerProfile profile, long t) {
    List<FeatureValue> values = new ArrayList<>();
    for (FeatureDefinition f : spec.features()) {
      FeatureValue.Builder v = FeatureValue.newBuilder().setName(f.name());
      if (f.kind() == FeatureDefinition.Kind.event) {
        v.setNumber(eventValue(f, events, t));
      } else if (profile != null) {
        switch (f.field()) {
          case "age":
            v.setNumber((double) profile.getAge());
            break;
          case "gender":
            v.setText(profile.getGender());
            break;
          case "country":
            v.setText(profile.getCountry());
            break;
          case "signup_date":
            v.setNumber((double) profile.getSignupDate());
            break;
          case "tenure_days":
            long day = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC).toLocalDate().toEpochDay();
            v.setNumber(
                day < profile.getSignupDate() ? null : (double) (day - profile.getSignupDate()));
            break;
          default:
            throw new AssertionError(f.field());
        }
      }
      values.add(v.build());
    }
    return values;
  }

  private static Double eventValue(FeatureDefinition f, List<CustomerEvent> events, long t) {
    long window = Duration.parse(f.window()).toMillis();
    int matched = 0;
    List<Double> amounts = new ArrayList<>();
    for (CustomerEvent e : events) {
      boolean inWindow = e.getEventTime() > t - window && e.getEventTime() <= t;
      boolean typeOk = f.eventTypes() == null || f.eventTypes().contains(e.getEventType());
      boolean channelOk =
          f.channels() == null || (e.getChannel() != null && f.channels().contains(e.getChannel()));
      if (inWindow && typeOk && channelOk) {
        matched++;
        if (e.getAmount() != null && !e.getAmount().isNaN() && !e.getAmount().isInfinite()) {
          amounts.add(e.getAmount());
        }
      }
    }
    FeatureDefinition.Aggregation agg = f.aggregation();
    boolean empty = agg == FeatureDefinition.Aggregation.count ? matched == 0 : amounts.isEmpty();
    if (empty) {
      FeatureDefinition.WhenEmpty whenEmpty = f.whenEmptyOrNull();
      if (whenEmpty == null) {
        boolean zeroByDefault =
            agg == FeatureDefinition.Aggregation.count || agg == FeatureDefinition.Aggregation.sum;
        return zeroByDefault ? 0.0 : null;
      }
      return whenEmpty == FeatureDefinition.WhenEmpty.zero ? 0.0 : null;
    }
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double a : amounts) {
      sum += a;
      min = Math.min(min, a);
      max = Math.max(max, a);
    }
    switch (agg) {
      case count:
        return (double) matched;
      case sum:
        return sum;
      case mean:
        return sum / amounts.size();
      case min:
        return min;
      case max:
        return max;
      default:
        throw new AssertionError(agg);
    }
  }
}
