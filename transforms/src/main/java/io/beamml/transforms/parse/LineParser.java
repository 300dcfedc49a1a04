package io.beamml.transforms.parse;

import java.io.Serializable;

/**
 * Turns one line of a contract format into a record. Plain and serializable so the same code serves
 * the Beam transform, a Kafka timestamp policy or a command-line check.
 *
 * <p>Lines are taken as read and already decoded (see {@link Utf8}): a leading byte-order mark and
 * one trailing carriage return are ignored, and a blank line fails with {@code blank_line}. A
 * "line" of a CSV format is one record, which may span lines inside quotes.
 */
public interface LineParser<T> extends Serializable {

  /** The record on this line, or a {@link ParseFailure} naming the reason it is not one. */
  T parse(String line) throws ParseFailure;

  /** Whether this line is the format's header row, which carries no record. */
  default boolean isHeader(String line) {
    return false;
  }

  /**
   * Whether these bytes, as read, are the format's header row: for counting input before it is
   * decoded. A format with a header row overrides both methods, deciding here without decoding
   * whenever the bytes cannot be its header.
   */
  default boolean isHeader(byte[] line) {
    return false;
  }

  /**
   * Whether a record may hold line breaks inside quoted fields (CSV under RFC 4180): such input
   * must be framed into records by a reader that knows the quoting, not cut at every line break.
   */
  default boolean quotedLineBreaks() {
    return false;
  }
}
