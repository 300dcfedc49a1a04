package io.beamml.inference;

import java.io.Serializable;

/**
 * A model version in the role it plays in a scoring job: {@code champion} or {@code challenger}.
 */
public record DeployedModel(ModelKey key, String variant) implements Serializable {

  public static final String CHAMPION = "champion";
  public static final String CHALLENGER = "challenger";

  public DeployedModel {
    if (key == null || variant == null) {
      throw new IllegalArgumentException("a deployed model needs a key and a variant");
    }
  }
}
