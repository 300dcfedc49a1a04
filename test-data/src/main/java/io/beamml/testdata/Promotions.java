package io.beamml.testdata;

import java.util.Arrays;

/**
 * The promotions sent and their outcomes. Each day a random subset of customers gets one promotion
 * at a random second of that day; the response is drawn from {@link ResponseModel} with the
 * customer's activity as of the send time. Promotion {@code i} has id {@code P} followed by {@code
 * i + 1} in at least six digits.
 */
final class Promotions {
  /** Chance that a given customer gets a promotion on a given day. */
  static final double DAILY_SEND_RATE = 0.05;

  private int size;
  private int[] customer = new int[256];
  private long[] sentTime = new long[256];
  private byte[] offset = new byte[256];
  private double[] probability = new double[256];
  private boolean[] responded = new boolean[256];
  private int idWidth = 6;

  int size() {
    return size;
  }

  static Promotions generate(
      GeneratorConfig config, Population population, CustomerActivity activity, Rng rng) {
    Promotions promos = new Promotions();
    long startDay = config.startDate().toEpochDay();
    boolean toCustomerWithoutEvents = false;
    for (int d = 0; d < config.days(); d++) {
      long dayStart = (startDay + d) * IsoTime.MS_PER_DAY;
      for (int c = 0; c < population.size; c++) {
        if (rng.chance(DAILY_SEND_RATE)) {
          promos.send(population, activity, c, dayStart, rng);
          toCustomerWithoutEvents |= !activity.hasEvents(c);
        }
      }
    }
    if (!toCustomerWithoutEvents) {
      for (int c = 0; c < population.size; c++) {
        if (!activity.hasEvents(c)) {
          long dayStart = (startDay + rng.nextInt(config.days())) * IsoTime.MS_PER_DAY;
          promos.send(population, activity, c, dayStart, rng);
          break;
        }
      }
    }
    promos.idWidth = Math.max(6, Text.digits(2L * promos.size + 1000));
    return promos;
  }

  private void send(
      Population population, CustomerActivity activity, int c, long dayStart, Rng rng) {
    long t = dayStart + rng.nextInt(86_400) * 1000L;
    int offsetIndex = rng.chance(0.7) ? population.homeOffset[c] : IsoTime.pickOffset(rng);
    double age = population.hasProfile[c] ? population.age[c] : 40.0;
    double tenure =
        population.hasProfile[c]
            ? (Math.floorDiv(t, IsoTime.MS_PER_DAY) - population.signupDay[c]) / 365.25
            : 0.0;
    double p =
        ResponseModel.probability(
            activity.orders(c, t, 7),
            activity.clicks(c, t, 7),
            activity.carts(c, t, 7),
            activity.orders(c, t, 1),
            age,
            tenure,
            rng.gaussian());
    p = Text.roundProbability(p);
    add(c, t, offsetIndex, p, rng.nextDouble() < p);
  }

  private void add(int c, long t, int offsetIndex, double p, boolean response) {
    if (size == customer.length) {
      int capacity = size * 2;
      customer = Arrays.copyOf(customer, capacity);
      sentTime = Arrays.copyOf(sentTime, capacity);
      offset = Arrays.copyOf(offset, capacity);
      probability = Arrays.copyOf(probability, capacity);
      responded = Arrays.copyOf(responded, capacity);
    }
    customer[size] = c;
    sentTime[size] = t;
    offset[size] = (byte) offsetIndex;
    probability[size] = p;
    responded[size] = response;
    size++;
  }

  int customer(int i) {
    return customer[i];
  }

  double probability(int i) {
    return probability[i];
  }

  boolean responded(int i) {
    return responded[i];
  }

  /** Digits after the {@code P}; fresh ids for bad rows use the same width. */
  int idWidth() {
    return idWidth;
  }

  void appendPromoId(StringBuilder sb, long number) {
    sb.append('P');
    Text.appendPadded(sb, number, idWidth);
  }

  /** Appends promotion {@code i} as {@code promo_id,customer_id,sent_time,responded}. */
  void appendCsv(int i, StringBuilder sb) {
    appendPromoId(sb, i + 1L);
    sb.append(',');
    Population.appendCustomerId(sb, customer[i]);
    sb.append(',');
    IsoTime.appendInstant(sb, sentTime[i], offset[i], false);
    sb.append(',').append(responded[i] ? '1' : '0');
  }

  /** Appends the truth row {@code promo_id,customer_id,probability}. */
  void appendTruth(int i, StringBuilder sb) {
    appendPromoId(sb, i + 1L);
    sb.append(',');
    Population.appendCustomerId(sb, customer[i]);
    sb.append(',');
    Text.appendProbability(sb, probability[i]);
  }
}
