package io.beamml.testdata;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The true chance that a customer responds to a promotion: a logistic function of what the customer
 * did in the 7 days (and 1 day) before the promotion was sent, a small effect of age and tenure,
 * and noise. This is the signal a model trained on the pipeline's features should recover.
 */
final class ResponseModel {
  static final double INTERCEPT = -2.85;
  static final double ORDERS_7D = 0.9;
  static final double CLICKS_7D = 0.07;
  static final double CARTS_7D = 0.25;
  static final double ORDERS_1D = 1.0;

  /** Per year of age above 40 (customers without a profile count as 40). */
  static final double AGE = -0.012;

  /** Per year of tenure, capped at five years (customers without a profile count as zero). */
  static final double TENURE_YEARS = 0.08;

  static final double NOISE_SD = 0.3;

  private ResponseModel() {}

  static double probability(
      int orders7d,
      int clicks7d,
      int carts7d,
      int orders1d,
      double ageYears,
      double tenureYears,
      double noise) {
    double logit =
        INTERCEPT
            + ORDERS_7D * orders7d
            + CLICKS_7D * clicks7d
            + CARTS_7D * carts7d
            + ORDERS_1D * orders1d
            + AGE * (ageYears - 40.0)
            + TENURE_YEARS * Math.min(5.0, Math.max(0.0, tenureYears))
            + NOISE_SD * noise;
    return 1.0 / (1.0 + Math.exp(-logit));
  }

  /** The coefficients, for the manifest. */
  static Map<String, Double> coefficients() {
    Map<String, Double> c = new LinkedHashMap<>();
    c.put("intercept", INTERCEPT);
    c.put("orders_7d", ORDERS_7D);
    c.put("clicks_7d", CLICKS_7D);
    c.put("carts_7d", CARTS_7D);
    c.put("orders_1d", ORDERS_1D);
    c.put("age_minus_40", AGE);
    c.put("tenure_years_capped_5", TENURE_YEARS);
    c.put("noise_sd", NOISE_SD);
    return c;
  }
}
