package io.beamml.testdata;

import java.util.Arrays;

/**
 * The valid orders, one column per field. Order {@code i} has id {@code O} followed by {@code i +
 * 1} in nine digits; order times are whole seconds because the sales CSV writes no fraction.
 */
final class OrderLog {
  static final String[] CURRENCIES = {"EUR", "GBP", "USD", "SEK", "PLN"};
  static final double[] CURRENCY_WEIGHTS = {86, 5, 5, 2, 2};

  private int size;
  private int[] customer = new int[256];
  private int[] product = new int[256];
  private int[] quantity = new int[256];
  private long[] amountCents = new long[256];
  private byte[] currency = new byte[256];
  private long[] time = new long[256];
  private byte[] offset = new byte[256];

  int size() {
    return size;
  }

  void add(
      int customerIndex,
      int productIndex,
      int units,
      long cents,
      int currencyIndex,
      long epochMs,
      int offsetIndex) {
    if (epochMs % 1000 != 0) {
      throw new IllegalArgumentException("order times are whole seconds: " + epochMs);
    }
    if (size == customer.length) {
      int capacity = size * 2;
      customer = Arrays.copyOf(customer, capacity);
      product = Arrays.copyOf(product, capacity);
      quantity = Arrays.copyOf(quantity, capacity);
      amountCents = Arrays.copyOf(amountCents, capacity);
      currency = Arrays.copyOf(currency, capacity);
      time = Arrays.copyOf(time, capacity);
      offset = Arrays.copyOf(offset, capacity);
    }
    customer[size] = customerIndex;
    product[size] = productIndex;
    quantity[size] = units;
    amountCents[size] = cents;
    currency[size] = (byte) currencyIndex;
    time[size] = epochMs;
    offset[size] = (byte) offsetIndex;
    size++;
  }

  int customer(int i) {
    return customer[i];
  }

  long time(int i) {
    return time[i];
  }

  static void appendOrderId(StringBuilder sb, long number) {
    sb.append('O');
    Text.appendPadded(sb, number, 9);
  }

  /**
   * Appends order {@code i} as {@code
   * order_id,customer_id,product_id,quantity,amount,currency,order_time}.
   */
  void appendCsv(int i, StringBuilder sb) {
    appendOrderId(sb, i + 1L);
    sb.append(',');
    Population.appendCustomerId(sb, customer[i]);
    sb.append(',');
    Catalog.appendId(sb, product[i]);
    sb.append(',').append(quantity[i]).append(',');
    Text.appendCents(sb, amountCents[i]);
    sb.append(',').append(CURRENCIES[currency[i]]).append(',');
    IsoTime.appendInstant(sb, time[i], offset[i], false);
  }
}
