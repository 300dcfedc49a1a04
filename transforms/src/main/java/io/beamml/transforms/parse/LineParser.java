package io.beamml.transforms.parse;

import java.io.Serializable;

/**
 * Turns one line of a contract format into a record. Plain and serializable so the same code serves
 * the Beam transform, a Kafka timestamp policy or a command-line check.
 *
 * <p>Lines are taken as read: a leading UTF-8 byte-order mark and one trailing carriage return are
 * ignored, and a blank line fails with {@code blank_line}.
 */
public interface LineParser<T> extends Serializable {

  /** The record on this line, or a {@link ParseFailure} naming the reason it is not one. */
  T parse(String line) throws ParseFailure;

  /** Whether this line is the format's header row, which carries no record. */
  default boolean isHeader(String line) {
    return false;
  }
}
