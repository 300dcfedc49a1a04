package io.beamml.testdata;

/**
 * The customers: who they are (the profile), whether a profile row exists, and how they shop
 * (activity level and funnel propensities). Customer {@code i} has id {@code C} followed by {@code
 * i + 1} in seven digits.
 */
final class Population {
  static final String[] GENDERS = {"F", "M", "X"};
  private static final double[] GENDER_WEIGHTS = {49, 48, 3};
  static final String[] COUNTRIES = {"DE", "FR", "GB", "IT", "ES", "NL", "PL", "SE", "US", "CA"};
  private static final double[] COUNTRY_WEIGHTS = {22, 14, 14, 10, 9, 6, 6, 4, 11, 4};

  /** Share of customers that never shop in the period. */
  static final double INACTIVE_SHARE = 0.05;

  /** Share of customers without a profile row. */
  static final double NO_PROFILE_SHARE = 0.07;

  /** Sets the mean activity so 20,000 customers over 30 days make about a million events. */
  private static final double ACTIVITY_LOG_MEAN = -1.52;

  private static final double ACTIVITY_LOG_SD = 0.9;

  final int size;

  /** Sessions per day on an average day; 0 for inactive customers. */
  final double[] activity;

  final double[] clickRate;
  final double[] cartRate;
  final double[] orderRate;
  final byte[] preferredChannel;
  final byte[] homeOffset;
  final boolean[] hasProfile;
  final int[] age;
  final byte[] gender;
  final byte[] country;
  final int[] signupDay;

  private Population(int size) {
    this.size = size;
    activity = new double[size];
    clickRate = new double[size];
    cartRate = new double[size];
    orderRate = new double[size];
    preferredChannel = new byte[size];
    homeOffset = new byte[size];
    hasProfile = new boolean[size];
    age = new int[size];
    gender = new byte[size];
    country = new byte[size];
    signupDay = new int[size];
  }

  static Population generate(GeneratorConfig config, Rng rng) {
    Population p = new Population(config.customers());
    long startDay = config.startDate().toEpochDay();
    for (int c = 0; c < p.size; c++) {
      p.activity[c] =
          rng.chance(INACTIVE_SHARE)
              ? 0.0
              : Math.min(8.0, Math.exp(ACTIVITY_LOG_MEAN + ACTIVITY_LOG_SD * rng.gaussian()));
      p.clickRate[c] = 0.2 + 0.3 * rng.nextDouble();
      p.cartRate[c] = 0.15 + 0.3 * rng.nextDouble();
      p.orderRate[c] = 0.2 + 0.4 * rng.nextDouble();
      p.preferredChannel[c] = (byte) rng.pick(ClickLog.CHANNEL_WEIGHTS);
      p.homeOffset[c] = (byte) IsoTime.pickOffset(rng);
      p.hasProfile[c] = !rng.chance(NO_PROFILE_SHARE);
      p.age[c] = Math.max(16, Math.min(95, (int) Math.round(41 + 14 * rng.gaussian())));
      p.gender[c] = (byte) rng.pick(GENDER_WEIGHTS);
      p.country[c] = (byte) rng.pick(COUNTRY_WEIGHTS);
      p.signupDay[c] = (int) (startDay - 1 - rng.nextInt(6 * 365));
    }
    if (p.size >= 4) {
      p.ensureOneOfEachKind(rng);
    }
    return p;
  }

  /** Small populations still get a customer without a profile and an inactive one with one. */
  private void ensureOneOfEachKind(Rng rng) {
    boolean noProfile = false;
    boolean inactiveWithProfile = false;
    for (int c = 0; c < size; c++) {
      noProfile |= !hasProfile[c];
      inactiveWithProfile |= activity[c] == 0.0 && hasProfile[c];
    }
    if (!noProfile) {
      hasProfile[rng.nextInt(size)] = false;
    }
    if (!inactiveWithProfile) {
      int c = rng.nextInt(size);
      for (int tries = 0; tries < size && !hasProfile[c]; tries++) {
        c = (c + 1) % size;
      }
      hasProfile[c] = true;
      activity[c] = 0.0;
    }
  }

  static void appendCustomerId(StringBuilder sb, int customer) {
    sb.append('C');
    Text.appendPadded(sb, customer + 1L, 7);
  }

  static String customerId(int customer) {
    StringBuilder sb = new StringBuilder(8);
    appendCustomerId(sb, customer);
    return sb.toString();
  }

  /** Appends the profile row {@code customer_id,age,gender,country,signup_date}. */
  void appendProfileCsv(int c, StringBuilder sb) {
    appendCustomerId(sb, c);
    sb.append(',').append(age[c]).append(',').append(GENDERS[gender[c]]);
    sb.append(',').append(COUNTRIES[country[c]]).append(',');
    IsoTime.appendDate(sb, signupDay[c]);
  }
}
