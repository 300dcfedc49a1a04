package io.beamml.transforms.features;

import io.beamml.schemas.FeatureValue;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns feature values into the float columns a model sees, in spec order: numbers as they are,
 * categories as their index in the spec's vocabulary, and anything missing or unknown as NaN
 * (XGBoost's missing value). Training and scoring both go through here, so they cannot disagree.
 */
public final class FeatureVectorizer implements Serializable {

  private final List<String> names;
  private final Map<String, Integer>[] vocabularies;

  @SuppressWarnings("unchecked")
  public FeatureVectorizer(FeatureSpec spec) {
    this.names = spec.featureNames();
    this.vocabularies = new Map[names.size()];
    List<FeatureDefinition> defs = spec.features();
    for (int i = 0; i < defs.size(); i++) {
      List<String> categories = defs.get(i).categories();
      if (defs.get(i).isCategorical() && categories == null) {
        throw new IllegalArgumentException(
            "categorical feature "
                + names.get(i)
                + " lists no categories, so it cannot be encoded");
      }
      if (categories != null) {
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < categories.size(); c++) {
          index.put(categories.get(c), c);
        }
        vocabularies[i] = index;
      }
    }
  }

  public int width() {
    return names.size();
  }

  public List<String> featureNames() {
    return names;
  }

  /**
   * Writes one row into {@code dest} starting at {@code offset}. Values must be in spec order (as
   * {@code FeatureCalculator} emits them); a name out of place is an error, not a silent
   * misalignment.
   */
  public void fill(List<FeatureValue> values, float[] dest, int offset) {
    if (values.size() != names.size()) {
      throw new IllegalArgumentException(
          "expected " + names.size() + " features " + names + ", got " + values.size());
    }
    for (int i = 0; i < values.size(); i++) {
      FeatureValue v = values.get(i);
      if (!names.get(i).equals(v.getName())) {
        throw new IllegalArgumentException(
            "feature " + i + " should be " + names.get(i) + " but is " + v.getName());
      }
      dest[offset + i] = encode(i, v);
    }
  }

  public float[] toVector(List<FeatureValue> values) {
    float[] row = new float[names.size()];
    fill(values, row, 0);
    return row;
  }

  private float encode(int column, FeatureValue v) {
    Map<String, Integer> vocabulary = vocabularies[column];
    if (vocabulary != null) {
      Integer code = v.getText() == null ? null : vocabulary.get(v.getText());
      return code == null ? Float.NaN : code;
    }
    Double number = v.getNumber();
    return number == null ? Float.NaN : number.floatValue();
  }
}
