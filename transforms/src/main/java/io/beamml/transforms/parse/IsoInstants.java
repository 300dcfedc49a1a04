package io.beamml.transforms.parse;

/**
 * A fast path for the one date-time shape the contract's files carry ({@code
 * 2026-01-10T12:00:00[.fff]Z} or with a {@code +HH:MM} offset): epoch millis without {@code
 * DateTimeFormatter}'s general machinery, which cost more than the rest of parsing a click. It
 * accepts only text that {@code ISO_OFFSET_DATE_TIME} (strict) accepts and yields the same instant;
 * anything else, valid or not, it leaves to that formatter ({@link #NOT_FAST}).
 */
final class IsoInstants {

  /**
   * Returned when the text is not in the fast shape (never a real result: it is not a whole milli
   * of the shape).
   */
  static final long NOT_FAST = Long.MIN_VALUE;

  private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

  private IsoInstants() {}

  /**
   * Epoch millis of {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|+HH:MM|-HH:MM)}, or {@link #NOT_FAST}.
   */
  static long epochMillis(String s) {
    int n = s.length();
    if (n < 20
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return NOT_FAST;
    }
    char t = s.charAt(10);
    if (t != 'T' && t != 't') {
      return NOT_FAST;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return NOT_FAST;
    }
    int monthDays = month == 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
    if (day > monthDays) {
      return NOT_FAST;
    }
    int i = 19;
    int millis = 0;
    if (i < n && s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && isDigit(s.charAt(i))) {
        if (i - start < 3) {
          millis = millis * 10 + (s.charAt(i) - '0');
        }
        i++;
      }
      int count = i - start;
      if (count == 0 || count > 9) {
        return NOT_FAST;
      }
      for (int k = count; k < 3; k++) {
        millis *= 10;
      }
    }
    if (i >= n) {
      return NOT_FAST;
    }
    int offsetSeconds;
    char sign = s.charAt(i);
    if ((sign == 'Z' || sign == 'z') && i + 1 == n) {
      offsetSeconds = 0;
    } else if ((sign == '+' || sign == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if (oh < 0 || om < 0 || om > 59 || oh > 18 || (oh == 18 && om > 0)) {
        return NOT_FAST;
      }
      offsetSeconds = (sign == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else {
      return NOT_FAST;
    }
    long epochSecond =
        epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
    return epochSecond * 1000L + millis;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The non-negative number of {@code len} ASCII digits at {@code from}, or -1. */
  private static int digits(String s, int from, int len) {
    int v = 0;
    for (int i = from; i < from + len; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean isLeap(int year) {
    return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  /**
   * Days since 1970-01-01 of a valid proleptic Gregorian date (as {@code LocalDate.toEpochDay}).
   */
  private static long epochDay(int year, int month, int day) {
    long y = year;
    long m = month;
    long total = 365 * y;
    if (y >= 0) {
      total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
    } else {
      total -= y / -4 - y / -100 + y / -400;
    }
    total += (367 * m - 362) / 12;
    total += day - 1;
    if (m > 2) {
      total--;
      if (!isLeap(year)) {
        total--;
      }
    }
    return total - 719_528L;
  }
}
