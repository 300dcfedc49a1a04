package io.beamml.pipelines.io;

import com.fasterxml.jackson.core.io.NumberOutput;

/**
 * JSON values appended straight to a {@link StringBuilder}, character for character what Jackson's
 * generator writes with the settings {@link JsonRecords} used to render through it: strings with
 * Jackson's escapes (the two-character forms for quote, backslash, backspace, tab, newline, form
 * feed and carriage return, a six-character u00 escape in upper-case hex for the other control
 * characters, nothing else escaped) and doubles and floats in Jackson's shortest digits (Schubfach,
 * {@code NaN} and the infinities quoted). A generator per line cost as much as the features it
 * renders: the feature store renders a million rows per backfill, most of them whole-number counts,
 * which take the fast path below. {@code JsonTextTest} holds every method to Jackson's output.
 */
final class JsonText {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Below this, Java's and Jackson's shortest digits of a whole double are its long digits. */
  private static final double PLAIN_DIGITS_BELOW = 1e7;

  private JsonText() {}

  static void string(StringBuilder out, String text) {
    out.append('"');
    int length = text.length();
    int plainFrom = 0;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(text, plainFrom, i).append('\\');
      switch (c) {
        case '"':
        case '\\':
          out.append(c);
          break;
        case '\b':
          out.append('b');
          break;
        case '\t':
          out.append('t');
          break;
        case '\n':
          out.append('n');
          break;
        case '\f':
          out.append('f');
          break;
        case '\r':
          out.append('r');
          break;
        default:
          out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
      plainFrom = i + 1;
    }
    out.append(text, plainFrom, length).append('"');
  }

  /** A property name and its colon. */
  static void name(StringBuilder out, String name) {
    string(out, name);
    out.append(':');
  }

  static void number(StringBuilder out, double d) {
    if (d == Math.rint(d) && Math.abs(d) < PLAIN_DIGITS_BELOW) {
      if (d == 0 && Double.doubleToRawLongBits(d) != 0) {
        out.append("-0.0");
      } else {
        out.append((long) d).append(".0");
      }
    } else if (Double.isFinite(d)) {
      out.append(NumberOutput.toString(d, true));
    } else {
      out.append('"').append(NumberOutput.toString(d, true)).append('"');
    }
  }

  static void number(StringBuilder out, float f) {
    if (Float.isFinite(f)) {
      out.append(NumberOutput.toString(f, true));
    } else {
      out.append('"').append(NumberOutput.toString(f, true)).append('"');
    }
  }
}
