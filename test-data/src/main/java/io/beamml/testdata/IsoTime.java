package io.beamml.testdata;

/**
 * Writes instants as ISO-8601 local date-times with a zone offset, and epoch days as ISO dates,
 * with civil-calendar arithmetic done by hand (Howard Hinnant's {@code civil_from_days}) so the hot
 * loops allocate nothing. The written offset and the written local time always denote the same
 * instant that is stored.
 */
final class IsoTime {
  static final long MS_PER_DAY = 86_400_000L;
  static final long MS_PER_HOUR = 3_600_000L;

  /**
   * Offsets used in the files; index 0 is UTC written as {@code Z}, index 1 UTC as {@code +00:00}.
   */
  private static final String[] OFFSET_TEXT = {
    "Z", "+00:00", "+01:00", "+02:00", "-05:00", "+05:30", "-08:00", "+09:00", "-03:30"
  };

  private static final int[] OFFSET_SECONDS = {
    0, 0, 3600, 7200, -5 * 3600, 5 * 3600 + 1800, -8 * 3600, 9 * 3600, -(3 * 3600 + 1800)
  };

  private static final double[] OFFSET_WEIGHTS = {35, 5, 18, 14, 14, 4, 5, 3, 2};

  private IsoTime() {}

  static int offsetCount() {
    return OFFSET_TEXT.length;
  }

  static int offsetSeconds(int offsetIndex) {
    return OFFSET_SECONDS[offsetIndex];
  }

  static String offsetText(int offsetIndex) {
    return OFFSET_TEXT[offsetIndex];
  }

  /** An offset index drawn with a realistic mix: mostly {@code Z}, often +01:00/+02:00/-05:00. */
  static int pickOffset(Rng rng) {
    return rng.pick(OFFSET_WEIGHTS);
  }

  /**
   * Appends e.g. {@code 2026-01-03T14:22:05.123+02:00}; without millis {@code
   * 2026-01-03T14:22:05+02:00}.
   */
  static void appendInstant(StringBuilder sb, long epochMs, int offsetIndex, boolean millis) {
    long local = epochMs + OFFSET_SECONDS[offsetIndex] * 1000L;
    long epochDay = Math.floorDiv(local, MS_PER_DAY);
    long msOfDay = Math.floorMod(local, MS_PER_DAY);
    appendDate(sb, epochDay);
    sb.append('T');
    Text.appendPadded(sb, msOfDay / MS_PER_HOUR, 2);
    sb.append(':');
    Text.appendPadded(sb, msOfDay / 60_000 % 60, 2);
    sb.append(':');
    Text.appendPadded(sb, msOfDay / 1000 % 60, 2);
    if (millis) {
      sb.append('.');
      Text.appendPadded(sb, msOfDay % 1000, 3);
    }
    sb.append(OFFSET_TEXT[offsetIndex]);
  }

  /** Appends the ISO date {@code yyyy-MM-dd} of a day counted from 1970-01-01 (years 0..9999). */
  static void appendDate(StringBuilder sb, long epochDay) {
    long z = epochDay + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long day = doy - (153 * mp + 2) / 5 + 1;
    long month = mp < 10 ? mp + 3 : mp - 9;
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    Text.appendPadded(sb, year, 4);
    sb.append('-');
    Text.appendPadded(sb, month, 2);
    sb.append('-');
    Text.appendPadded(sb, day, 2);
  }

  static String instant(long epochMs, int offsetIndex, boolean millis) {
    StringBuilder sb = new StringBuilder(32);
    appendInstant(sb, epochMs, offsetIndex, millis);
    return sb.toString();
  }

  static String date(long epochDay) {
    StringBuilder sb = new StringBuilder(10);
    appendDate(sb, epochDay);
    return sb.toString();
  }
}
