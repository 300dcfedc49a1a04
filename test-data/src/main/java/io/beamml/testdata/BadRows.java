package io.beamml.testdata;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bad lines of one source, each with the one reason it must be rejected for and, for sources
 * split by day, the day whose file it goes into.
 */
final class BadRows {
  private final List<BadReason> reasons = new ArrayList<>();
  private final List<String> texts = new ArrayList<>();
  private final List<Integer> days = new ArrayList<>();

  void add(BadReason reason, String text, int day) {
    if (reason == BadReason.BLANK_LINE != text.isEmpty()) {
      throw new IllegalArgumentException("only blank_line rows are empty: " + reason);
    }
    boolean tooLong = Utf8.length(text) > BadReason.MAX_LINE_BYTES;
    if (reason == BadReason.LINE_TOO_LONG != tooLong) {
      throw new IllegalArgumentException("only line_too_long rows exceed 1 MiB: " + reason);
    }
    if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a bad row is one line");
    }
    reasons.add(reason);
    texts.add(text);
    days.add(day);
  }

  int size() {
    return reasons.size();
  }

  BadReason reason(int k) {
    return reasons.get(k);
  }

  String text(int k) {
    return texts.get(k);
  }

  int day(int k) {
    return days.get(k);
  }

  boolean isBlank(int k) {
    return texts.get(k).isEmpty();
  }

  /** Count per reason code, in {@link BadReason} order, reasons with no rows left out. */
  Map<String, Long> counts() {
    Map<BadReason, Long> byReason = new EnumMap<>(BadReason.class);
    for (BadReason r : reasons) {
      byReason.merge(r, 1L, Long::sum);
    }
    Map<String, Long> out = new LinkedHashMap<>();
    byReason.forEach((r, n) -> out.put(r.code(), n));
    return out;
  }

  /** UTF-8 byte length without encoding the string. */
  static final class Utf8 {
    private Utf8() {}

    static long length(CharSequence s) {
      long bytes = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          bytes += 1;
        } else if (c < 0x800) {
          bytes += 2;
        } else if (Character.isHighSurrogate(c)) {
          bytes += 4;
          i++;
        } else {
          bytes += 3;
        }
      }
      return bytes;
    }
  }
}
