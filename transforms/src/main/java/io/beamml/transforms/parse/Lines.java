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

  /**
   * Whether the line takes more than {@code maxBytes} bytes in UTF-8. Decides from the char count
   * alone whenever it can (a char takes one to three bytes, a surrogate pair four), so the usual
   * short line is never encoded.
   */
  public static boolean exceedsUtf8Bytes(String line, long maxBytes) {
    int chars = line.length();
    if (chars > maxBytes) {
      return true;
    }
    if ((long) chars * 3 <= maxBytes) {
      return false;
    }
    long bytes = 0;
    for (int i = 0; i < chars; i++) {
      char c = line.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < chars
          && Character.isLowSurrogate(line.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes += 1; // an unpaired surrogate is encoded as '?'
      } else {
        bytes += 3;
      }
      if (bytes > maxBytes) {
        return true;
      }
    }
    return false;
  }
}
