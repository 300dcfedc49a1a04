package io.beamml.pipelines.trainingset;

import io.beamml.pipelines.io.IsoText;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.TrainingExample;
import io.beamml.transforms.features.FeatureSpec;
import java.io.Serializable;
import java.util.List;

/**
 * The CSV rendering of training examples for tools that want a plain table: one header, {@code
 * promo_id,customer_key,sent_time,label,split} then the features in spec order; send time as
 * ISO-8601 UTC like the JSON Lines form, a missing feature as an empty field, and text quoted per
 * RFC 4180 when it needs it (an empty text as {@code ""}, so it differs from missing).
 */
public final class ExampleCsv implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The columns before the features. */
  public static final List<String> KEY_COLUMNS =
      List.of("promo_id", "customer_key", "sent_time", "label", "split");

  private final List<String> featureNames;

  private ExampleCsv(List<String> featureNames) {
    this.featureNames = List.copyOf(featureNames);
  }

  public static ExampleCsv of(FeatureSpec spec) {
    return new ExampleCsv(spec.featureNames());
  }

  public String header() {
    StringBuilder line = new StringBuilder(String.join(",", KEY_COLUMNS));
    for (String name : featureNames) {
      line.append(',').append(name);
    }
    return line.toString();
  }

  /** One example as a CSV line; its features must be this spec's, in spec order. */
  public String line(TrainingExample example) {
    List<FeatureValue> features = example.getFeatures();
    if (features.size() != featureNames.size()) {
      throw new IllegalArgumentException(
          "example "
              + example.getPromoId()
              + " has "
              + features.size()
              + " features, the spec "
              + featureNames.size());
    }
    StringBuilder line = new StringBuilder();
    line.append(field(example.getPromoId()))
        .append(',')
        .append(field(example.getCustomerKey()))
        .append(',')
        .append(IsoText.instant(example.getSentTime()))
        .append(',')
        .append(example.getLabel())
        .append(',')
        .append(field(example.getSplit()));
    for (int i = 0; i < features.size(); i++) {
      FeatureValue f = features.get(i);
      if (!featureNames.get(i).equals(f.getName())) {
        throw new IllegalArgumentException(
            "example "
                + example.getPromoId()
                + " has feature "
                + f.getName()
                + " where the spec has "
                + featureNames.get(i));
      }
      line.append(',');
      if (f.getNumber() != null) {
        line.append(number(f.getNumber()));
      } else if (f.getText() != null) {
        line.append(field(f.getText()));
      }
    }
    return line.toString();
  }

  /**
   * Whole numbers without a trailing ".0" (counts read as integers); others as Java prints them.
   */
  static String number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  /** A text field, quoted when it is empty or holds a comma, quote or line break. */
  static String field(String value) {
    boolean quote =
        value.isEmpty()
            || value.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r');
    return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
  }
}
