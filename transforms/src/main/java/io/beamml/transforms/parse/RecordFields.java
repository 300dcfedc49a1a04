package io.beamml.transforms.parse;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The named values of one input record, as text, whatever the format. A typed format (JSON) checks
 * each value's type here, so a record's fields are converted by one piece of code for CSV and JSON
 * alike. Each method returns null when the field is absent or JSON null.
 */
interface RecordFields {

  /** A value that must be a string. */
  @Nullable String string(String name) throws ParseFailure;

  /** A value that must be a number; its text. */
  @Nullable String number(String name) throws ParseFailure;

  /** A value that must be an integer; its text. */
  @Nullable String integer(String name) throws ParseFailure;
}
