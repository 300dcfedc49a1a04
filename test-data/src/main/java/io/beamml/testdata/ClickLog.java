package io.beamml.testdata;

import java.util.Arrays;

/**
 * The valid click-stream events, one column per field so a million events stay small in memory.
 * Event {@code i} has id {@code E} followed by {@code i + 1} in ten digits; re-rendering an event
 * gives the same bytes, which is what makes a duplicate an exact re-delivery.
 */
final class ClickLog {
  static final String[] TYPES = {"view", "click", "add_to_cart"};
  static final byte VIEW = 0;
  static final byte CLICK = 1;
  static final byte ADD_TO_CART = 2;

  static final String[] CHANNELS = {"web", "app", "email"};
  static final double[] CHANNEL_WEIGHTS = {55, 35, 10};

  /** How the price field is written. */
  static final byte PRICE_PRESENT = 0;

  static final byte PRICE_ABSENT = 1;
  static final byte PRICE_NULL = 2;

  private int size;
  private int sessions;
  private int[] customer = new int[1024];
  private byte[] type = new byte[1024];
  private int[] product = new int[1024];
  private int[] priceCents = new int[1024];
  private byte[] priceMode = new byte[1024];
  private long[] time = new long[1024];
  private byte[] offset = new byte[1024];
  private int[] session = new int[1024];
  private byte[] channel = new byte[1024];

  int size() {
    return size;
  }

  /** Highest session number seen. */
  int sessions() {
    return sessions;
  }

  void add(
      int customerIndex,
      byte eventType,
      int productIndex,
      int cents,
      byte mode,
      long epochMs,
      int offsetIndex,
      int sessionNumber,
      int channelIndex) {
    if (size == customer.length) {
      int capacity = size * 2;
      customer = Arrays.copyOf(customer, capacity);
      type = Arrays.copyOf(type, capacity);
      product = Arrays.copyOf(product, capacity);
      priceCents = Arrays.copyOf(priceCents, capacity);
      priceMode = Arrays.copyOf(priceMode, capacity);
      time = Arrays.copyOf(time, capacity);
      offset = Arrays.copyOf(offset, capacity);
      session = Arrays.copyOf(session, capacity);
      channel = Arrays.copyOf(channel, capacity);
    }
    customer[size] = customerIndex;
    type[size] = eventType;
    product[size] = productIndex;
    priceCents[size] = cents;
    priceMode[size] = mode;
    time[size] = epochMs;
    offset[size] = (byte) offsetIndex;
    session[size] = sessionNumber;
    channel[size] = (byte) channelIndex;
    sessions = Math.max(sessions, sessionNumber);
    size++;
  }

  int customer(int i) {
    return customer[i];
  }

  byte type(int i) {
    return type[i];
  }

  long time(int i) {
    return time[i];
  }

  static void appendEventId(StringBuilder sb, long number) {
    sb.append('E');
    Text.appendPadded(sb, number, 10);
  }

  static void appendSessionId(StringBuilder sb, long number) {
    sb.append('S');
    Text.appendPadded(sb, number, 9);
  }

  /** Appends event {@code i} as one JSON object (no line ending). */
  void appendJson(int i, StringBuilder sb) {
    sb.append("{\"event_id\":\"");
    appendEventId(sb, i + 1L);
    sb.append("\",\"customer_id\":\"");
    Population.appendCustomerId(sb, customer[i]);
    sb.append("\",\"event_type\":\"").append(TYPES[type[i]]);
    sb.append("\",\"product_id\":\"");
    Catalog.appendId(sb, product[i]);
    sb.append('"');
    if (priceMode[i] == PRICE_PRESENT) {
      sb.append(",\"price\":");
      Text.appendCents(sb, priceCents[i]);
    } else if (priceMode[i] == PRICE_NULL) {
      sb.append(",\"price\":null");
    }
    sb.append(",\"event_time\":\"");
    IsoTime.appendInstant(sb, time[i], offset[i], true);
    sb.append("\",\"session_id\":\"");
    appendSessionId(sb, session[i]);
    sb.append("\",\"channel\":\"").append(CHANNELS[channel[i]]).append("\"}");
  }
}
