package io.beamml.pipelines.io;

import java.time.Instant;
import java.time.LocalDate;

/**
 * ISO-8601 text of epoch millis and epoch days, as {@code Instant.toString()} and {@code
 * LocalDate.toString()} write them, without {@code DateTimeFormatter}'s general machinery: the
 * backfill writes a timestamp and picks an event-date partition for each of a million rows, and
 * {@code Instant.toString()} alone was a tenth of rendering a row. Years outside 0000-9999 (signed
 * or wider text) are left to {@code java.time}.
 */
public final class IsoText {

  private static final long MILLIS_PER_DAY = 86_400_000L;

  /** Epoch day of 0000-01-01 and of 10000-01-01: the four-digit years. */
  private static final long FIRST_FAST_DAY = -719_528L;

  private static final long END_FAST_DAY = 2_932_897L;

  private IsoText() {}

  /** {@code yyyy-MM-ddTHH:mm:ss[.SSS]Z}, the milliseconds only when not zero. */
  public static String instant(long epochMillis) {
    long day = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
    if (day < FIRST_FAST_DAY || day >= END_FAST_DAY) {
      return Instant.ofEpochMilli(epochMillis).toString();
    }
    int millisOfDay = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
    int millis = millisOfDay % 1000;
    char[] text = new char[millis == 0 ? 20 : 24];
    putDate(text, day);
    text[10] = 'T';
    int seconds = millisOfDay / 1000;
    put2(text, 11, seconds / 3600);
    text[13] = ':';
    put2(text, 14, seconds / 60 % 60);
    text[16] = ':';
    put2(text, 17, seconds % 60);
    int end = 19;
    if (millis != 0) {
      text[19] = '.';
      text[20] = (char) ('0' + millis / 100);
      put2(text, 21, millis % 100);
      end = 23;
    }
    text[end] = 'Z';
    return new String(text);
  }

  /** {@code yyyy-MM-dd} of the UTC day the instant falls in. */
  public static String dateOf(long epochMillis) {
    return date(Math.floorDiv(epochMillis, MILLIS_PER_DAY));
  }

  /** {@code yyyy-MM-dd} of a day counted from 1970-01-01 (Avro's {@code date}). */
  public static String date(long epochDay) {
    if (epochDay < FIRST_FAST_DAY || epochDay >= END_FAST_DAY) {
      return LocalDate.ofEpochDay(epochDay).toString();
    }
    char[] text = new char[10];
    putDate(text, epochDay);
    return new String(text);
  }

  /** The civil date of an epoch day (proleptic Gregorian, as {@code LocalDate}) at 0..9. */
  private static void putDate(char[] text, long epochDay) {
    // Days since 0000-03-01, split into 400-year eras, so leap days fall at each year's end.
    long days = epochDay + 719_468L;
    long era = Math.floorDiv(days, 146_097L);
    int dayOfEra = (int) (days - era * 146_097L);
    int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    int shiftedMonth = (5 * dayOfYear + 2) / 153;
    int day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
    int month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
    int year = (int) (yearOfEra + era * 400) + (month <= 2 ? 1 : 0);
    put2(text, 0, year / 100);
    put2(text, 2, year % 100);
    text[4] = '-';
    put2(text, 5, month);
    text[7] = '-';
    put2(text, 8, day);
  }

  private static void put2(char[] text, int at, int value) {
    text[at] = (char) ('0' + value / 10);
    text[at + 1] = (char) ('0' + value % 10);
  }
}
