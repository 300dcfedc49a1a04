package io.beamml.pipelines.stream;

import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.features.FeatureVectorizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Feature rows under the default spec with every feature drawn independently (as model-training's
 * drift tests draw them), so shifting clicks_7d up by whole clicks moves no other feature.
 */
final class DriftRows {

  static final FeatureSpec SPEC = FeatureSpec.defaultSpec();
  private static final String[] GENDERS = {"F", "M", "X"};
  private static final String[] COUNTRIES = {
    "DE", "FR", "GB", "IT", "ES", "NL", "PL", "SE", "US", "CA"
  };

  private DriftRows() {}

  /**
   * {@code n} rows from {@code seed}, event times {@code start + i * step}, clicks_7d raised by
   * {@code clicksShift}.
   */
  static List<FeatureRow> rows(
      int n, long seed, String idPrefix, long start, long step, int clicksShift) {
    Random r = new Random(seed);
    List<FeatureRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int orders = r.nextInt(3);
      List<FeatureValue> f = new ArrayList<>();
      f.add(value("views_7d", (double) r.nextInt(20), null));
      f.add(value("clicks_7d", (double) (r.nextInt(6) + clicksShift), null));
      f.add(value("carts_7d", (double) r.nextInt(4), null));
      f.add(value("orders_7d", (double) orders, null));
      f.add(value("spend_7d", orders * (10 + 90 * r.nextDouble()), null));
      f.add(value("orders_1d", (double) r.nextInt(2), null));
      f.add(value("clicks_1d", (double) r.nextInt(3), null));
      f.add(
          r.nextInt(10) == 0
              ? value("age", null, null)
              : value("age", (double) (18 + r.nextInt(60)), null));
      f.add(value("gender", null, GENDERS[r.nextInt(GENDERS.length)]));
      f.add(value("country", null, COUNTRIES[r.nextInt(COUNTRIES.length)]));
      f.add(value("tenure_days", (double) r.nextInt(2000), null));
      rows.add(
          FeatureRow.newBuilder()
              .setEventId(idPrefix + "-" + i)
              .setCustomerKey("k" + (i % 300))
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
  static ReferenceProfile reference(int n, long seed) {
    List<FeatureRow> rows = rows(n, seed, "train", 0L, 60_000L, 0);
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

  private static FeatureValue value(String name, Double number, String text) {
    return FeatureValue.newBuilder().setName(name).setNumber(number).setText(text).build();
  }
}
