package io.beamml.testdata;

/**
 * Plays out every customer's sessions day by day: a session is a run of views, some of which lead
 * to a click and some clicks to an add-to-cart; items in the cart are sometimes ordered at the end
 * of the session. A customer's interest drifts from day to day, so recent behaviour says more about
 * tomorrow than the long-run average does.
 */
final class ShoppingSimulator {
  private static final long SECOND = 1000L;

  /** No session lasts longer than this (20 views, each with a click and a cart, 20 orders). */
  private static final long MAX_SESSION_MS = 3 * IsoTime.MS_PER_HOUR;

  private static final double[] QUANTITY_WEIGHTS = {70, 20, 6, 3, 1};
  private static final double[] PRICE_MODE_WEIGHTS = {92, 5, 3};

  private final GeneratorConfig config;
  private final Population population;
  private final Catalog catalog;
  private final ClickLog clicks;
  private final OrderLog orders;
  private int sessions;

  private ShoppingSimulator(
      GeneratorConfig config,
      Population population,
      Catalog catalog,
      ClickLog clicks,
      OrderLog orders) {
    this.config = config;
    this.population = population;
    this.catalog = catalog;
    this.clicks = clicks;
    this.orders = orders;
  }

  /** Fills {@code clicks} and {@code orders}; every event lies inside the configured period. */
  static void simulate(
      GeneratorConfig config,
      Population population,
      Catalog catalog,
      Rng rng,
      ClickLog clicks,
      OrderLog orders) {
    ShoppingSimulator simulator =
        new ShoppingSimulator(config, population, catalog, clicks, orders);
    for (int c = 0; c < population.size; c++) {
      simulator.customer(c, rng.split());
    }
  }

  private void customer(int c, Rng rng) {
    if (population.activity[c] == 0.0) {
      return;
    }
    long startDay = config.startDate().toEpochDay();
    long end = config.endEpochMs();
    double interest = rng.gaussian();
    for (int d = 0; d < config.days(); d++) {
      interest = 0.75 * interest + 0.66 * rng.gaussian();
      long epochDay = startDay + d;
      int dayOfWeek = (int) Math.floorMod(epochDay + 3, 7L); // 0 = Monday
      double weekend = dayOfWeek >= 5 ? 1.3 : 1.0;
      double rate = population.activity[c] * weekend * Math.exp(0.6 * interest - 0.18);
      int n = rng.poisson(Math.min(rate, 30.0));
      long dayStart = epochDay * IsoTime.MS_PER_DAY;
      long window = Math.min(IsoTime.MS_PER_DAY, end - MAX_SESSION_MS - dayStart);
      for (int s = 0; s < n; s++) {
        session(c, dayStart + rng.nextLong(window), rng);
      }
    }
  }

  private void session(int c, long start, Rng rng) {
    int session = ++sessions;
    int channel =
        rng.chance(0.75) ? population.preferredChannel[c] : rng.pick(ClickLog.CHANNEL_WEIGHTS);
    int views = 1 + rng.geometric(0.3, 19);
    int[] cart = new int[views];
    int carted = 0;
    long t = start;
    for (int v = 0; v < views; v++) {
      int product = catalog.pick(rng);
      t += rng.between(5, 90) * SECOND + rng.nextInt(1000);
      event(c, ClickLog.VIEW, product, t, session, channel, rng);
      if (rng.chance(population.clickRate[c])) {
        t += rng.between(1, 60) * SECOND + rng.nextInt(1000);
        event(c, ClickLog.CLICK, product, t, session, channel, rng);
        if (rng.chance(population.cartRate[c])) {
          t += rng.between(2, 60) * SECOND + rng.nextInt(1000);
          event(c, ClickLog.ADD_TO_CART, product, t, session, channel, rng);
          cart[carted++] = product;
        }
      }
    }
    for (int k = 0; k < carted; k++) {
      if (rng.chance(population.orderRate[c])) {
        t += rng.between(20, 300) * SECOND;
        t -= t % SECOND;
        order(c, cart[k], t, rng);
      }
    }
  }

  private void event(int c, byte type, int product, long t, int session, int channel, Rng rng) {
    byte mode = (byte) rng.pick(PRICE_MODE_WEIGHTS);
    clicks.add(
        c, type, product, catalog.priceCents(product), mode, t, offset(c, rng), session, channel);
  }

  private void order(int c, int product, long t, Rng rng) {
    int quantity = 1 + rng.pick(QUANTITY_WEIGHTS);
    double discount = rng.chance(0.15) ? 0.8 + 0.15 * rng.nextDouble() : 1.0;
    long cents = Math.max(1L, Math.round(catalog.priceCents(product) * quantity * discount));
    int currency = rng.pick(OrderLog.CURRENCY_WEIGHTS);
    orders.add(c, product, quantity, cents, currency, t, offset(c, rng));
  }

  /** Mostly the customer's home offset, sometimes another (travel, devices set differently). */
  private int offset(int c, Rng rng) {
    return rng.chance(0.7) ? population.homeOffset[c] : IsoTime.pickOffset(rng);
  }
}
