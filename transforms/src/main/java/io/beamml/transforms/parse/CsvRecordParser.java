package io.beamml.transforms.parse;

import io.beamml.transforms.deadletter.Reasons;
import java.util.List;

/**
 * The shared shape of a contract CSV format: a fixed list of columns, a header row naming them, and
 * one record per line (or per record, when a quoted field holds a line break) read field by field
 * through {@link RecordFields}.
 */
abstract class CsvRecordParser<T> implements LineParser<T> {

  private static final long serialVersionUID = 1L;

  private final List<String> columns;
  private final String header;

  CsvRecordParser(List<String> columns) {
    this.columns = List.copyOf(columns);
    this.header = String.join(",", columns);
  }

  /** The column names, in order, as in the header row. */
  public final List<String> columns() {
    return columns;
  }

  @Override
  public final T parse(String line) throws ParseFailure {
    List<String> values = CsvLine.split(Lines.normaliseNonBlank(line));
    if (values.size() != columns.size()) {
      throw new ParseFailure(
          Reasons.WRONG_FIELD_COUNT,
          "expected " + columns.size() + " fields (" + header + "), found " + values.size());
    }
    return read(new CsvFields(columns, values));
  }

  /**
   * A header row names the columns in order. Compared field by field, ignoring case and the space
   * around each name, so a quoted or spaced header is recognised too; only lines that start like
   * the first column name are split for that.
   */
  @Override
  public final boolean isHeader(String line) {
    String text = Lines.normalise(line).trim();
    if (text.equals(header)) {
      return true;
    }
    String first = columns.get(0);
    int offset = text.startsWith("\"") ? 1 : 0;
    if (!text.regionMatches(true, offset, first, 0, first.length())) {
      return false;
    }
    List<String> values;
    try {
      values = CsvLine.split(text);
    } catch (ParseFailure e) {
      return false;
    }
    if (values.size() != columns.size()) {
      return false;
    }
    for (int i = 0; i < values.size(); i++) {
      if (!values.get(i).trim().equalsIgnoreCase(columns.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public final boolean isHeader(byte[] line) {
    int pos = 0;
    if (line.length >= 3
        && line[0] == (byte) 0xEF
        && line[1] == (byte) 0xBB
        && line[2] == (byte) 0xBF) {
      pos = 3;
    }
    while (pos < line.length && line[pos] >= 0 && line[pos] <= ' ') {
      pos++;
    }
    if (pos < line.length && line[pos] == '"') {
      pos++;
    }
    String first = columns.get(0);
    if (line.length - pos < first.length()) {
      return false;
    }
    for (int i = 0; i < first.length(); i++) {
      byte b = line[pos + i];
      if (b < 0) {
        break; // not ASCII: let the text decide, as case-blind matching does more than ASCII
      }
      if (Character.toLowerCase((char) b) != Character.toLowerCase(first.charAt(i))) {
        return false;
      }
    }
    String text = Utf8.decodeStrict(line);
    return text != null && isHeader(text);
  }

  /** CSV quoting lets a field hold line breaks. */
  @Override
  public final boolean quotedLineBreaks() {
    return true;
  }

  /** The record from one line's fields, the count of which is already checked. */
  abstract T read(RecordFields fields) throws ParseFailure;
}
