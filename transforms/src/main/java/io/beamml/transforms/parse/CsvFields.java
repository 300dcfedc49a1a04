package io.beamml.transforms.parse;

import java.util.List;

/** The fields of one CSV line, looked up by the header's column names. CSV has no types. */
final class CsvFields implements RecordFields {

  private final List<String> columns;
  private final List<String> values;

  CsvFields(List<String> columns, List<String> values) {
    this.columns = columns;
    this.values = values;
  }

  @Override
  public String string(String name) {
    int index = columns.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException("no column " + name);
    }
    return values.get(index);
  }

  @Override
  public String number(String name) {
    return string(name);
  }

  @Override
  public String integer(String name) {
    return string(name);
  }
}
