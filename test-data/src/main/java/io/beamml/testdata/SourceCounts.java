package io.beamml.testdata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one source's files hold, for exact accounting in tests: {@code lines} (data lines, header
 * lines excluded) {@code = validUnique + duplicates + badTotal()}. Counts of line endings cover
 * every physical line, headers included.
 */
public final class SourceCounts {
  private final String source;
  private final List<String> files;
  private final long headerLines;
  private final long lines;
  private final long validUnique;
  private final long duplicates;
  private final Map<String, Long> bad;
  private final long lfLines;
  private final long crlfLines;

  SourceCounts(
      String source,
      List<String> files,
      long headerLines,
      long lines,
      long validUnique,
      long duplicates,
      Map<String, Long> bad,
      long lfLines,
      long crlfLines) {
    long badTotal = bad.values().stream().mapToLong(Long::longValue).sum();
    if (lines != validUnique + duplicates + badTotal) {
      throw new IllegalStateException(
          source
              + ": "
              + lines
              + " lines != "
              + validUnique
              + " + "
              + duplicates
              + " + "
              + badTotal);
    }
    this.source = source;
    this.files = Collections.unmodifiableList(new ArrayList<>(files));
    this.headerLines = headerLines;
    this.lines = lines;
    this.validUnique = validUnique;
    this.duplicates = duplicates;
    this.bad = Collections.unmodifiableMap(new LinkedHashMap<>(bad));
    this.lfLines = lfLines;
    this.crlfLines = crlfLines;
  }

  /** {@code clicks}, {@code sales}, {@code profiles} or {@code responses}. */
  public String source() {
    return source;
  }

  /** The files, relative to the output directory, with {@code /} separators. */
  public List<String> files() {
    return files;
  }

  public long headerLines() {
    return headerLines;
  }

  /** Data lines (bad and blank lines included, header lines excluded). */
  public long lines() {
    return lines;
  }

  /** Records that survive parse, validate and deduplicate. */
  public long validUnique() {
    return validUnique;
  }

  /** Exact re-deliveries of valid records (same content, same id), beyond the first delivery. */
  public long duplicates() {
    return duplicates;
  }

  /** Bad lines by reason code; reasons with no lines are absent. */
  public Map<String, Long> bad() {
    return bad;
  }

  public long bad(BadReason reason) {
    return bad.getOrDefault(reason.code(), 0L);
  }

  public long badTotal() {
    return bad.values().stream().mapToLong(Long::longValue).sum();
  }

  public long lfLines() {
    return lfLines;
  }

  public long crlfLines() {
    return crlfLines;
  }

  @Override
  public String toString() {
    return source
        + ": "
        + lines
        + " lines in "
        + files.size()
        + " file(s) = "
        + validUnique
        + " valid + "
        + duplicates
        + " duplicates + "
        + badTotal()
        + " bad";
  }
}
