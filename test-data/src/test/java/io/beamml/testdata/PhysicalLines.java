package io.beamml.testdata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A file split into lines by hand, keeping which line ending each line had. */
final class PhysicalLines {
  /** One line: its content without the ending, and whether the ending was {@code \r\n}. */
  static final class Line {
    final String content;
    final boolean crlf;

    Line(String content, boolean crlf) {
      this.content = content;
      this.crlf = crlf;
    }
  }

  private PhysicalLines() {}

  /** Reads every line; fails on a lone {@code \r} or a last line without an ending. */
  static List<Line> read(Path file) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    List<Line> lines = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      if (nl < 0) {
        throw new AssertionError(file + ": last line has no line ending");
      }
      boolean crlf = nl > start && text.charAt(nl - 1) == '\r';
      String content = text.substring(start, crlf ? nl - 1 : nl);
      if (content.indexOf('\r') >= 0) {
        throw new AssertionError(file + ": lone carriage return in line " + (lines.size() + 1));
      }
      lines.add(new Line(content, crlf));
      start = nl + 1;
    }
    return lines;
  }
}
