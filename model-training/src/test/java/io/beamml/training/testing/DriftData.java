package io.beamml.training.testing;

import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.features.FeatureVectorizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Feature rows under the default spec with every feature drawn independently, so shifting one
 * feature moves no other: clicks_7d can be shifted up by a whole number of clicks. The drift tests'
 * fixture here and in the pipelines (shared through this module's test-jar).
 */
public final class DriftData {

  private static final String[] GENDERS = {"F", "M", "X"};
  private static final String[] COUNTRIES = {
    "DE", "FR", "GB", "IT", "ES", "NL", "PL", "SE", "US", "CA"
  };
  public static final long START = 1_700_000_000_000L;
  public static final FeatureSpec SPEC = FeatureSpec.defaultSpec();

  private DriftData() {}

  /**
   * {@code n} rows from {@code seed}, event times {@code start + i * step}, clicks_7d raised by
   * {@code clicksShift}.
   */
  public static List<FeatureRow> rows(
      int n, long seed, String idPrefix, long start, long step, int clicksShift) {
    Random r = new Random(seed);
    List<FeatureRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<FeatureValue> f = new ArrayList<>();
      int orders = r.nextInt(3);
      f.add(num("views_7d", r.nextInt(20)));
      f.add(num("clicks_7d", r.nextInt(6) + clicksShift));
      f.add(num("carts_7d", r.nextInt(4)));
      f.add(num("orders_7d", orders));
      f.add(num("spend_7d", orders * (10 + 90 * r.nextDouble())));
      f.add(num("orders_1d", r.nextInt(2)));
      f.add(num("clicks_1d", r.nextInt(3)));
      f.add(r.nextInt(10) == 0 ? missing("age") : num("age", 18 + r.nextInt(60)));
      f.add(text("gender", GENDERS[r.nextInt(GENDERS.length)]));
      f.add(text("country", COUNTRIES[r.nextInt(COUNTRIES.length)]));
      f.add(num("tenure_days", r.nextInt(2000)));
      rows.add(
          FeatureRow.newBuilder()
              .setEventId(idPrefix + "-" + i)
              .setCustomerKey("k" + (i % 500))
              .setEventTime(start + i * step)
              .setEventType("click")
              .setSpecFingerprint(SPEC.fingerprint())
              .setFeatures(f)
              .build());
    }
    return rows;
  }

  /**
   * The reference profile of {@code n} unshifted rows, as train builds it from a training split.
   */
  public static ReferenceProfile reference(int n, long seed) {
    List<FeatureRow> rows = rows(n, seed, "train", START, 60_000L, 0);
    FeatureVectorizer vectorizer = new FeatureVectorizer(SPEC);
    float[] matrix = new float[n * vectorizer.width()];
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      vectorizer.fill(rows.get(i).getFeatures(), matrix, i * vectorizer.width());
      keys[i] = rows.get(i).getEventId();
    }
    return ReferenceProfile.fromRows(
        SPEC, matrix, n, keys, ReferenceProfile.DEFAULT_BINS, ReferenceProfile.DEFAULT_SAMPLE_SIZE);
  }

  private static FeatureValue num(String name, double v) {
    return FeatureValue.newBuilder().setName(name).setNumber(v).setText(null).build();
  }

  private static FeatureValue text(String name, String v) {
    return FeatureValue.newBuilder().setName(name).setNumber(null).setText(v).build();
  }

  private static FeatureValue missing(String name) {
    return FeatureValue.newBuilder().setName(name).setNumber(null).setText(null).build();
  }
}
