package io.beamml.transforms.parse;

import io.beamml.schemas.Channel;
import io.beamml.schemas.ClickType;
import io.beamml.transforms.deadletter.Reasons;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Converts field text to the contract's types, one failure reason per kind of problem. Numbers are
 * plain decimal ASCII: no whitespace, no {@code NaN} or infinity, no type suffixes, so what Java's
 * number parsers would quietly accept is rejected as {@code wrong_type}.
 */
final class FieldValues {

  private FieldValues() {}

  /** A required text value: absent, null, empty and whitespace-only are all missing. */
  static String required(String name, @Nullable String value) throws ParseFailure {
    if (value == null) {
      throw new ParseFailure(Reasons.MISSING_REQUIRED_FIELD, name + " is missing");
    }
    if (value.isBlank()) {
      throw new ParseFailure(Reasons.MISSING_REQUIRED_FIELD, name + " is empty");
    }
    return value;
  }

  static double decimal(String name, @Nullable String value) throws ParseFailure {
    return toDecimal(name, required(name, value));
  }

  /** An optional number: absent, null or empty is null. */
  static @Nullable Double optionalDecimal(String name, @Nullable String value) throws ParseFailure {
    return value == null || value.isEmpty() ? null : toDecimal(name, value);
  }

  static int integer(String name, @Nullable String value) throws ParseFailure {
    String text = required(name, value);
    int start = text.charAt(0) == '-' || text.charAt(0) == '+' ? 1 : 0;
    boolean digits = start < text.length();
    for (int i = start; i < text.length() && digits; i++) {
      char c = text.charAt(i);
      digits = c >= '0' && c <= '9';
    }
    if (!digits) {
      throw new ParseFailure(Reasons.WRONG_TYPE, name + " must be an integer: " + quote(text));
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new ParseFailure(Reasons.WRONG_TYPE, name + " is out of integer range: " + quote(text));
    }
  }

  /** An ISO-8601 date-time with a zone offset (or Z), as epoch milliseconds UTC. */
  static long instantMillis(String name, @Nullable String value) throws ParseFailure {
    String text = required(name, value);
    long fast = IsoInstants.epochMillis(text);
    if (fast != IsoInstants.NOT_FAST) {
      return fast;
    }
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant()
          .toEpochMilli();
    } catch (DateTimeException | ArithmeticException e) {
      throw new ParseFailure(
          Reasons.UNPARSEABLE_TIMESTAMP,
          name + " is not an ISO-8601 date-time with offset: " + quote(text));
    }
  }

  /** An ISO-8601 calendar date, as days since 1970-01-01. */
  static int epochDay(String name, @Nullable String value) throws ParseFailure {
    String text = required(name, value);
    try {
      return Math.toIntExact(LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE).toEpochDay());
    } catch (DateTimeException | ArithmeticException e) {
      throw new ParseFailure(
          Reasons.UNPARSEABLE_TIMESTAMP, name + " is not an ISO-8601 date: " + quote(text));
    }
  }

  static ClickType clickType(String name, @Nullable String value) throws ParseFailure {
    String text = required(name, value);
    switch (text) {
      case "view":
        return ClickType.view;
      case "click":
        return ClickType.click;
      case "add_to_cart":
        return ClickType.add_to_cart;
      default:
        throw new ParseFailure(
            Reasons.UNKNOWN_ENUM_VALUE,
            name + " must be one of view, click, add_to_cart: " + quote(text));
    }
  }

  static Channel channel(String name, @Nullable String value) throws ParseFailure {
    String text = required(name, value);
    switch (text) {
      case "web":
        return Channel.web;
      case "app":
        return Channel.app;
      case "email":
        return Channel.email;
      default:
        throw new ParseFailure(
            Reasons.UNKNOWN_ENUM_VALUE, name + " must be one of web, app, email: " + quote(text));
    }
  }

  private static final java.util.Set<String> GENDERS = java.util.Set.of("F", "M", "X");
  private static final java.util.Set<String> COUNTRIES =
      java.util.Set.of(java.util.Locale.getISOCountries());

  /** Gender as the contract codes it: F, M or X. */
  static String gender(String name, @Nullable String value) throws ParseFailure {
    String text = required(name, value);
    if (!GENDERS.contains(text)) {
      throw new ParseFailure(
          Reasons.UNKNOWN_ENUM_VALUE, name + " must be one of F, M, X: " + quote(text));
    }
    return text;
  }

  /** Country as an ISO 3166-1 alpha-2 code (upper case), as the JDK knows them. */
  static String country(String name, @Nullable String value) throws ParseFailure {
    String text = required(name, value);
    if (!COUNTRIES.contains(text)) {
      throw new ParseFailure(
          Reasons.UNKNOWN_ENUM_VALUE,
          name + " must be an ISO 3166-1 alpha-2 country code: " + quote(text));
    }
    return text;
  }

  private static double toDecimal(String name, String text) throws ParseFailure {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
        throw new ParseFailure(Reasons.WRONG_TYPE, name + " must be a number: " + quote(text));
      }
    }
    double parsed;
    try {
      parsed = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new ParseFailure(Reasons.WRONG_TYPE, name + " must be a number: " + quote(text));
    }
    if (Double.isInfinite(parsed)) {
      throw new ParseFailure(Reasons.WRONG_TYPE, name + " is out of range: " + quote(text));
    }
    return parsed;
  }

  /** A bounded excerpt of the offending value for the message; the full line is in raw. */
  private static String quote(String text) {
    return '"' + (text.length() <= 40 ? text : text.substring(0, 40) + "...") + '"';
  }
}
