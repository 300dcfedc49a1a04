package io.beamml.testdata;

/**
 * Number and string formatting for the hot loops: appends to a reused {@link StringBuilder} instead
 * of allocating through {@code String.format}, and never depends on the default locale.
 */
final class Text {
  private Text() {}

  /** Appends {@code value} (non-negative) left-padded with zeros to at least {@code width}. */
  static void appendPadded(StringBuilder sb, long value, int width) {
    if (value < 0) {
      throw new IllegalArgumentException("negative value " + value);
    }
    int digits = digits(value);
    for (int i = digits; i < width; i++) {
      sb.append('0');
    }
    sb.append(value);
  }

  /** Number of decimal digits of a non-negative value. */
  static int digits(long value) {
    int digits = 1;
    while (value >= 10) {
      value /= 10;
      digits++;
    }
    return digits;
  }

  /** Appends a money value given in cents with exactly two decimals, e.g. {@code -12.05}. */
  static void appendCents(StringBuilder sb, long cents) {
    if (cents < 0) {
      sb.append('-');
      cents = -cents;
    }
    sb.append(cents / 100).append('.');
    appendPadded(sb, cents % 100, 2);
  }

  /** Appends a probability in [0, 1] with exactly six decimals. */
  static void appendProbability(StringBuilder sb, double p) {
    long micros = Math.round(Math.max(0.0, Math.min(1.0, p)) * 1_000_000.0);
    sb.append(micros / 1_000_000).append('.');
    appendPadded(sb, micros % 1_000_000, 6);
  }

  /** A probability as written to the files, read back as a double. */
  static double roundProbability(double p) {
    return Math.round(Math.max(0.0, Math.min(1.0, p)) * 1_000_000.0) / 1_000_000.0;
  }

  /** Appends {@code value} as a JSON string literal, quotes included. */
  static void appendJsonString(StringBuilder sb, CharSequence value) {
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        case '\b':
          sb.append("\\b");
          break;
        case '\f':
          sb.append("\\f");
          break;
        default:
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append("\\u");
            String hex = Integer.toHexString(c);
            for (int k = hex.length(); k < 4; k++) {
              sb.append('0');
            }
            sb.append(hex);
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }
}
