package io.beamml.testdata;

import static io.beamml.testdata.BadReason.AGE_IN_RANGE;
import static io.beamml.testdata.BadReason.AMOUNT_NOT_NEGATIVE;
import static io.beamml.testdata.BadReason.BLANK_LINE;
import static io.beamml.testdata.BadReason.EVENT_TIME_PLAUSIBLE;
import static io.beamml.testdata.BadReason.LINE_TOO_LONG;
import static io.beamml.testdata.BadReason.MALFORMED_JSON;
import static io.beamml.testdata.BadReason.MISSING_REQUIRED_FIELD;
import static io.beamml.testdata.BadReason.PRICE_NOT_NEGATIVE;
import static io.beamml.testdata.BadReason.QUANTITY_POSITIVE;
import static io.beamml.testdata.BadReason.UNKNOWN_ENUM_VALUE;
import static io.beamml.testdata.BadReason.UNPARSEABLE_TIMESTAMP;
import static io.beamml.testdata.BadReason.WRONG_FIELD_COUNT;
import static io.beamml.testdata.BadReason.WRONG_TYPE;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes each source's bad lines. Every bad line starts from a well-formed, valid row with fresh ids
 * (so it can never collide with a valid row in deduplication) and breaks it in exactly one way, so
 * its expected reason is unambiguous. The first line of each reason is the plainest example (no
 * customer_id, quantity "abc", age "x", price "cheap", event_type "purchase").
 */
final class BadRowFactory {
  static final List<BadReason> CLICK_REASONS =
      List.of(
          MALFORMED_JSON,
          WRONG_TYPE,
          UNKNOWN_ENUM_VALUE,
          UNPARSEABLE_TIMESTAMP,
          MISSING_REQUIRED_FIELD,
          BLANK_LINE,
          PRICE_NOT_NEGATIVE,
          EVENT_TIME_PLAUSIBLE,
          LINE_TOO_LONG);
  static final List<BadReason> SALES_REASONS =
      List.of(
          WRONG_FIELD_COUNT,
          WRONG_TYPE,
          UNPARSEABLE_TIMESTAMP,
          MISSING_REQUIRED_FIELD,
          BLANK_LINE,
          AMOUNT_NOT_NEGATIVE,
          QUANTITY_POSITIVE,
          EVENT_TIME_PLAUSIBLE,
          LINE_TOO_LONG);
  static final List<BadReason> PROFILE_REASONS =
      List.of(
          WRONG_FIELD_COUNT,
          WRONG_TYPE,
          UNKNOWN_ENUM_VALUE,
          UNPARSEABLE_TIMESTAMP,
          MISSING_REQUIRED_FIELD,
          BLANK_LINE,
          AGE_IN_RANGE);
  static final List<BadReason> RESPONSE_REASONS =
      List.of(
          WRONG_FIELD_COUNT, WRONG_TYPE, UNPARSEABLE_TIMESTAMP, MISSING_REQUIRED_FIELD, BLANK_LINE);

  /** How far past 1 MiB the oversized lines go. */
  private static final int OVERSIZE_MARGIN = 4096;

  private final GeneratorConfig config;
  private final Population population;
  private final Catalog catalog;
  private final Rng rng;
  private final Map<BadReason, Integer> seen = new EnumMap<>(BadReason.class);

  BadRowFactory(GeneratorConfig config, Population population, Catalog catalog, Rng rng) {
    this.config = config;
    this.population = population;
    this.catalog = catalog;
    this.rng = rng;
  }

  /** Bad click lines; fresh event ids start after the last valid one. */
  BadRows clicks(int validEvents, int sessions) {
    BadRows rows = new BadRows();
    long nextEvent = validEvents + 1L;
    seen.clear();
    for (BadReason reason : allocate(CLICK_REASONS, validEvents)) {
      int variant = seen.merge(reason, 1, Integer::sum) - 1;
      Map<String, String> f = new LinkedHashMap<>();
      StringBuilder sb = new StringBuilder();
      ClickLog.appendEventId(sb, nextEvent++);
      f.put("event_id", json(sb));
      f.put("customer_id", json(Population.customerId(rng.nextInt(population.size))));
      f.put("event_type", json(ClickLog.TYPES[rng.nextInt(3)]));
      int product = catalog.pick(rng);
      f.put("product_id", json(productId(product)));
      f.put("price", cents(catalog.priceCents(product)));
      f.put("event_time", json(instantInPeriod(true)));
      sb.setLength(0);
      ClickLog.appendSessionId(sb, 1L + rng.nextInt(Math.max(1, sessions)));
      f.put("session_id", json(sb));
      f.put("channel", json(ClickLog.CHANNELS[rng.pick(ClickLog.CHANNEL_WEIGHTS)]));
      String text;
      switch (reason) {
        case MALFORMED_JSON:
          String whole = object(f);
          switch (variant % 4) {
            case 0:
              text = whole.substring(0, whole.length() * 2 / 3);
              break;
            case 1:
              text = whole.substring(0, whole.length() - 1);
              break;
            case 2:
              text = whole.replace('"', '\'');
              break;
            default:
              text = whole.substring(1, whole.length() - 1).replace("\":", "=").replace("\"", "");
          }
          break;
        case WRONG_TYPE:
          f.put("price", json(variant % 2 == 0 ? "cheap" : "12,99"));
          text = object(f);
          break;
        case UNKNOWN_ENUM_VALUE:
          String[][] enums = {
            {"event_type", "purchase"},
            {"channel", "fax"},
            {"event_type", "hover"},
            {"channel", "sms"}
          };
          f.put(enums[variant % 4][0], json(enums[variant % 4][1]));
          text = object(f);
          break;
        case UNPARSEABLE_TIMESTAMP:
          f.put("event_time", json(unparseableTimestamp(variant)));
          text = object(f);
          break;
        case MISSING_REQUIRED_FIELD:
          String[] required = {"customer_id", "event_id", "product_id", "session_id"};
          f.remove(required[variant % required.length]);
          text = object(f);
          break;
        case BLANK_LINE:
          text = "";
          break;
        case PRICE_NOT_NEGATIVE:
          f.put("price", cents(-catalog.priceCents(product)));
          text = object(f);
          break;
        case EVENT_TIME_PLAUSIBLE:
          f.put("event_time", json(implausibleInstant(variant, true)));
          text = object(f);
          break;
        case LINE_TOO_LONG:
          f.put("product_id", json(oversizedId()));
          text = object(f);
          break;
        default:
          throw new IllegalStateException("not a clicks reason: " + reason);
      }
      rows.add(reason, text, -1);
    }
    return rows;
  }

  /**
   * Bad sales lines; fresh order ids start after the last valid one. Each goes to the file of a day
   * that has orders ({@code orderDays}, one entry per order), or day 0 if there are none.
   */
  BadRows sales(int validOrders, int[] orderDays) {
    BadRows rows = new BadRows();
    long nextOrder = validOrders + 1L;
    seen.clear();
    for (BadReason reason : allocate(SALES_REASONS, validOrders)) {
      int variant = seen.merge(reason, 1, Integer::sum) - 1;
      int day = orderDays.length == 0 ? 0 : orderDays[rng.nextInt(orderDays.length)];
      StringBuilder sb = new StringBuilder();
      OrderLog.appendOrderId(sb, nextOrder++);
      int product = catalog.pick(rng);
      int quantity = 1 + rng.nextInt(3);
      long dayStart = (config.startDate().toEpochDay() + day) * IsoTime.MS_PER_DAY;
      long time = dayStart + rng.nextInt(86_400) * 1000L;
      String[] f = {
        sb.toString(),
        Population.customerId(rng.nextInt(population.size)),
        productId(product),
        Integer.toString(quantity),
        cents(catalog.priceCents(product) * (long) quantity),
        "EUR",
        IsoTime.instant(time, IsoTime.pickOffset(rng), false)
      };
      String text;
      switch (reason) {
        case WRONG_FIELD_COUNT:
          text = wrongFieldCount(f, variant, "gift-wrap");
          break;
        case WRONG_TYPE:
          String[][] types = {{"3", "abc"}, {"4", "twelve"}, {"3", "two"}};
          f[Integer.parseInt(types[variant % 3][0])] = types[variant % 3][1];
          text = csv(f);
          break;
        case UNPARSEABLE_TIMESTAMP:
          f[6] = unparseableTimestamp(variant);
          text = csv(f);
          break;
        case MISSING_REQUIRED_FIELD:
          f[new int[] {1, 0, 2}[variant % 3]] = "";
          text = csv(f);
          break;
        case BLANK_LINE:
          text = "";
          break;
        case AMOUNT_NOT_NEGATIVE:
          f[4] = cents(-catalog.priceCents(product) * (long) quantity);
          text = csv(f);
          break;
        case QUANTITY_POSITIVE:
          f[3] = variant % 2 == 0 ? "0" : "-1";
          text = csv(f);
          break;
        case EVENT_TIME_PLAUSIBLE:
          f[6] = implausibleInstant(variant, false);
          text = csv(f);
          break;
        case LINE_TOO_LONG:
          f[2] = oversizedId();
          text = csv(f);
          break;
        default:
          throw new IllegalStateException("not a sales reason: " + reason);
      }
      rows.add(reason, text, day);
    }
    return rows;
  }

  /**
   * Bad profile lines. Each names a different customer without a valid profile row (then ids past
   * the population), so a bad row never shares a customer id with a valid one.
   */
  BadRows profiles(int validProfiles) {
    BadRows rows = new BadRows();
    List<Integer> withoutProfile = new ArrayList<>();
    for (int c = 0; c < population.size; c++) {
      if (!population.hasProfile[c]) {
        withoutProfile.add(c);
      }
    }
    int nextOwner = 0;
    seen.clear();
    for (BadReason reason : allocate(PROFILE_REASONS, validProfiles)) {
      int variant = seen.merge(reason, 1, Integer::sum) - 1;
      int owner =
          nextOwner < withoutProfile.size()
              ? withoutProfile.get(nextOwner)
              : population.size + nextOwner - withoutProfile.size();
      nextOwner++;
      long signup = config.startDate().toEpochDay() - 1 - rng.nextInt(4 * 365);
      String[] f = {
        Population.customerId(owner),
        Integer.toString(rng.between(18, 80)),
        Population.GENDERS[rng.nextInt(2)],
        Population.COUNTRIES[rng.nextInt(Population.COUNTRIES.length)],
        IsoTime.date(signup)
      };
      String text;
      switch (reason) {
        case WRONG_FIELD_COUNT:
          text = wrongFieldCount(f, variant, "newsletter");
          break;
        case WRONG_TYPE:
          f[1] = variant % 2 == 0 ? "x" : "forty";
          text = csv(f);
          break;
        case UNKNOWN_ENUM_VALUE:
          if (variant % 2 == 0) {
            f[2] = "Q";
          } else {
            f[3] = "ZZ";
          }
          text = csv(f);
          break;
        case UNPARSEABLE_TIMESTAMP:
          LocalDate d = LocalDate.ofEpochDay(signup);
          String[] dates = {
            d.getYear() + "-02-30",
            "last-year",
            String.format(
                java.util.Locale.ROOT,
                "%02d.%02d.%d",
                d.getDayOfMonth(),
                d.getMonthValue(),
                d.getYear())
          };
          f[4] = dates[variant % dates.length];
          text = csv(f);
          break;
        case MISSING_REQUIRED_FIELD:
          f[0] = "";
          text = csv(f);
          break;
        case BLANK_LINE:
          text = "";
          break;
        case AGE_IN_RANGE:
          f[1] = new String[] {"121", "-1", "150", "200"}[variant % 4];
          text = csv(f);
          break;
        default:
          throw new IllegalStateException("not a profiles reason: " + reason);
      }
      rows.add(reason, text, -1);
    }
    return rows;
  }

  /** Bad response lines; fresh promo ids start after the last valid one. */
  BadRows responses(Promotions promos) {
    BadRows rows = new BadRows();
    long nextPromo = promos.size() + 1L;
    seen.clear();
    for (BadReason reason : allocate(RESPONSE_REASONS, promos.size())) {
      int variant = seen.merge(reason, 1, Integer::sum) - 1;
      StringBuilder sb = new StringBuilder();
      promos.appendPromoId(sb, nextPromo++);
      long time = config.startEpochMs() + rng.nextLong(config.days() * 86_400L) * 1000L;
      String[] f = {
        sb.toString(),
        Population.customerId(rng.nextInt(population.size)),
        IsoTime.instant(time, IsoTime.pickOffset(rng), false),
        rng.chance(0.15) ? "1" : "0"
      };
      String text;
      switch (reason) {
        case WRONG_FIELD_COUNT:
          text = wrongFieldCount(f, variant, "email");
          break;
        case WRONG_TYPE:
          f[3] = variant % 2 == 0 ? "maybe" : "x";
          text = csv(f);
          break;
        case UNPARSEABLE_TIMESTAMP:
          f[2] = unparseableTimestamp(variant);
          text = csv(f);
          break;
        case MISSING_REQUIRED_FIELD:
          f[variant % 2 == 0 ? 1 : 0] = "";
          text = csv(f);
          break;
        case BLANK_LINE:
          text = "";
          break;
        default:
          throw new IllegalStateException("not a responses reason: " + reason);
      }
      rows.add(reason, text, -1);
    }
    return rows;
  }

  /**
   * Which reasons, in order: none if bad rows are off; otherwise every applicable reason once
   * (line_too_long only if oversized lines are on, and never more than once), then the rest of
   * {@code badRowRate * validRows} spread at random over the other reasons.
   */
  private List<BadReason> allocate(List<BadReason> applicable, int validRows) {
    List<BadReason> out = new ArrayList<>();
    if (config.badRowRate() == 0.0) {
      return out;
    }
    List<BadReason> spread = new ArrayList<>();
    for (BadReason r : applicable) {
      if (r == LINE_TOO_LONG && !config.includeOversizedLines()) {
        continue;
      }
      out.add(r);
      if (r != LINE_TOO_LONG) {
        spread.add(r);
      }
    }
    long target = Math.round(config.badRowRate() * validRows);
    while (out.size() < target) {
      out.add(spread.get(rng.nextInt(spread.size())));
    }
    return out;
  }

  private String instantInPeriod(boolean millis) {
    long ms = config.startEpochMs() + rng.nextLong(config.endEpochMs() - config.startEpochMs());
    if (!millis) {
      ms -= ms % 1000;
    }
    return IsoTime.instant(ms, IsoTime.pickOffset(rng), millis);
  }

  /** A well-formed ISO timestamp in 1990 or in 2100. */
  private String implausibleInstant(int variant, boolean millis) {
    int year = variant % 2 == 0 ? 1990 : 2100;
    long day = LocalDate.of(year, 1, 1).toEpochDay() + rng.nextInt(360);
    long ms = day * IsoTime.MS_PER_DAY + rng.nextInt(86_400) * 1000L;
    if (millis) {
      ms += rng.nextInt(1000);
    }
    int offset = IsoTime.pickOffset(rng);
    long local = ms + IsoTime.offsetSeconds(offset) * 1000L;
    if (Math.floorDiv(local, IsoTime.MS_PER_DAY) < LocalDate.of(year, 1, 1).toEpochDay()) {
      offset = 0;
    }
    return IsoTime.instant(ms, offset, millis);
  }

  /** Text no ISO-8601 offset date-time parser accepts; never contains a comma. */
  private String unparseableTimestamp(int variant) {
    LocalDate d = config.startDate().plusDays(rng.nextInt(config.days()));
    String date = d.toString();
    switch (variant % 4) {
      case 0:
        return "yesterday";
      case 1:
        return d.getYear() + "-13-0" + (1 + rng.nextInt(9)) + "T10:00:00Z";
      case 2:
        return date.replace('-', '/') + " 10:15:00";
      default:
        return date + "T25:10:00+01:00";
    }
  }

  private static String wrongFieldCount(String[] f, int variant, String extra) {
    if (variant % 2 == 0) {
      String[] shorter = new String[f.length - 1];
      System.arraycopy(f, 0, shorter, 0, shorter.length);
      return csv(shorter);
    }
    return csv(f) + "," + extra;
  }

  private static String oversizedId() {
    return "SKU-" + "X".repeat(BadReason.MAX_LINE_BYTES + OVERSIZE_MARGIN);
  }

  private static String productId(int product) {
    StringBuilder sb = new StringBuilder(9);
    Catalog.appendId(sb, product);
    return sb.toString();
  }

  private static String cents(long cents) {
    StringBuilder sb = new StringBuilder(12);
    Text.appendCents(sb, cents);
    return sb.toString();
  }

  private static String json(CharSequence value) {
    StringBuilder sb = new StringBuilder(value.length() + 2);
    Text.appendJsonString(sb, value);
    return sb.toString();
  }

  private static String object(Map<String, String> fields) {
    StringBuilder sb = new StringBuilder(256);
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      Text.appendJsonString(sb, e.getKey());
      sb.append(':').append(e.getValue());
    }
    return sb.append('}').toString();
  }

  private static String csv(String[] fields) {
    return String.join(",", fields);
  }
}
