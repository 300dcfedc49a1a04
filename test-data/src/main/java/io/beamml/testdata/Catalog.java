package io.beamml.testdata;

/**
 * The products on sale: ids {@code SKU-00001}..., a list price each, and a skewed popularity so a
 * few products draw most of the views.
 */
final class Catalog {
  static final int PRODUCTS = 2000;

  private final int[] priceCents;

  private Catalog(int[] priceCents) {
    this.priceCents = priceCents;
  }

  static Catalog generate(Rng rng) {
    int[] prices = new int[PRODUCTS];
    for (int i = 0; i < PRODUCTS; i++) {
      double euros = Math.exp(Math.log(25.0) + 0.8 * rng.gaussian());
      long cents = Math.round(Math.max(0.99, Math.min(2500.0, euros)) * 100.0);
      prices[i] = (int) (cents - cents % 10 + 9);
    }
    return new Catalog(prices);
  }

  /** A product index, popular products (low indices) far more often. */
  int pick(Rng rng) {
    double u = rng.nextDouble();
    return (int) (PRODUCTS * u * u * u);
  }

  int priceCents(int product) {
    return priceCents[product];
  }

  static void appendId(StringBuilder sb, int product) {
    sb.append("SKU-");
    Text.appendPadded(sb, product + 1L, 5);
  }
}
