package io.beamml.transforms.parse;

import io.beamml.transforms.deadletter.Reasons;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV record into its fields under RFC 4180: fields are separated by commas; a field
 * that starts with a double quote runs to the matching closing quote, may hold commas, and writes a
 * quote as two quotes. Whitespace is part of a field.
 *
 * <p>The input is one whole record, as framed by a reader that knows the quoting, so a quoted field
 * may hold line breaks. A quote left open at the end of the record, a quote inside an unquoted
 * field and text after a closing quote are all {@code malformed_csv}.
 */
public final class CsvLine {

  private CsvLine() {}

  public static List<String> split(String line) throws ParseFailure {
    List<String> fields = new ArrayList<>(8);
    int length = line.length();
    int pos = 0;
    while (true) {
      if (pos < length && line.charAt(pos) == '"') {
        pos = readQuoted(line, pos + 1, fields);
      } else {
        int end = pos;
        while (end < length && line.charAt(end) != ',') {
          if (line.charAt(end) == '"') {
            throw new ParseFailure(
                Reasons.MALFORMED_CSV,
                "quote inside unquoted field " + (fields.size() + 1) + " at position " + end);
          }
          end++;
        }
        fields.add(line.substring(pos, end));
        pos = end;
      }
      if (pos >= length) {
        return fields;
      }
      // The character at pos is the comma ending the field just read.
      pos++;
    }
  }

  /** Reads a quoted field whose content starts at {@code pos}; returns the position after it. */
  private static int readQuoted(String line, int pos, List<String> fields) throws ParseFailure {
    int length = line.length();
    StringBuilder value = null;
    int chunkStart = pos;
    while (true) {
      int quote = line.indexOf('"', pos);
      if (quote < 0) {
        throw new ParseFailure(
            Reasons.MALFORMED_CSV, "unbalanced quote in field " + (fields.size() + 1));
      }
      if (quote + 1 < length && line.charAt(quote + 1) == '"') {
        if (value == null) {
          value = new StringBuilder(quote - chunkStart + 16);
        }
        value.append(line, chunkStart, quote + 1);
        pos = quote + 2;
        chunkStart = pos;
        continue;
      }
      String content =
          value == null
              ? line.substring(chunkStart, quote)
              : value.append(line, chunkStart, quote).toString();
      int after = quote + 1;
      if (after < length && line.charAt(after) != ',') {
        throw new ParseFailure(
            Reasons.MALFORMED_CSV,
            "text after the closing quote of field "
                + (fields.size() + 1)
                + " at position "
                + after);
      }
      fields.add(content);
      return after;
    }
  }
}
