package io.beamml.transforms.parse;

import io.beamml.transforms.deadletter.Reasons;

/** The line-level clean-up every format shares: byte-order mark, CR of a CRLF, blank lines. */
public final class Lines {

  private static final char BOM = '\uFEFF';

  private Lines() {}

  /** The line without a leading byte-order mark and without one trailing carriage return. */
  public static String normalise(String line) {
    int start = !line.isEmpty() && line.charAt(0) == BOM ? 1 : 0;
    int end = line.length();
    if (end > start && line.charAt(end - 1) == '\r') {
      end--;
    }
    return start == 0 && end == line.length() ? line : line.substring(start, end);
  }

  /** The normalised line, or a {@code blank_line} failure when nothing but whitespace is left. */
  public static String normaliseNonBlank(String line) throws ParseFailure {
    String normalised = normalise(line);
    if (normalised.isBlank()) {
      throw new ParseFailure(Reasons.BLANK_LINE, "line is blank");
    }
    return normalised;
  }
}
