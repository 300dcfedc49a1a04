package io.beamml.testdata;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one source's files and keeps its counts. A file's lines are given as entries: an entry
 * {@code >= 0} is a valid record rendered by the source's {@link Renderer} (a duplicate is the same
 * entry again), an entry {@code < 0} is bad row {@code -entry - 1}. Lines are shuffled within each
 * file, and blank lines are kept away from a file's first and last line.
 */
final class SourceWriter {
  /** Renders valid record {@code index} as one line without its line ending. */
  interface Renderer {
    void append(int index, StringBuilder sb);
  }

  private final Path outDir;
  private final String source;
  private final Renderer renderer;
  private final BadRows bad;
  private final Rng rng;
  private final List<String> files = new ArrayList<>();
  private final StringBuilder line = new StringBuilder(512);
  private long headerLines;
  private long lines;
  private long lf;
  private long crlf;

  SourceWriter(Path outDir, String source, Renderer renderer, BadRows bad, Rng rng) {
    this.outDir = outDir;
    this.source = source;
    this.renderer = renderer;
    this.bad = bad;
    this.rng = rng;
  }

  /** Writes {@code entries[from, to)} (shuffled in place) to {@code relativePath}. */
  void writeFile(String relativePath, String header, int[] entries, int from, int to)
      throws IOException {
    rng.shuffle(entries, from, to);
    keepBlankLinesInside(entries, from, to);
    try (LineFile file = new LineFile(outDir.resolve(relativePath), rng)) {
      if (header != null) {
        file.write(header);
        headerLines++;
      }
      for (int i = from; i < to; i++) {
        int entry = entries[i];
        if (entry >= 0) {
          line.setLength(0);
          renderer.append(entry, line);
          file.write(line);
        } else {
          file.write(bad.text(-entry - 1));
        }
      }
      lf += file.lfLines();
      crlf += file.crlfLines();
    }
    lines += to - from;
    files.add(relativePath);
  }

  SourceCounts counts(long validUnique, long duplicates) {
    return new SourceCounts(
        source, files, headerLines, lines, validUnique, duplicates, bad.counts(), lf, crlf);
  }

  private boolean isBlank(int entry) {
    return entry < 0 && bad.isBlank(-entry - 1);
  }

  private void keepBlankLinesInside(int[] entries, int from, int to) {
    if (to - from < 2) {
      return;
    }
    if (isBlank(entries[to - 1])) {
      for (int j = to - 2; j >= from; j--) {
        if (!isBlank(entries[j])) {
          swap(entries, j, to - 1);
          break;
        }
      }
    }
    if (isBlank(entries[from])) {
      for (int j = from + 1; j < to - 1; j++) {
        if (!isBlank(entries[j])) {
          swap(entries, from, j);
          break;
        }
      }
    }
  }

  private static void swap(int[] values, int i, int j) {
    int tmp = values[i];
    values[i] = values[j];
    values[j] = tmp;
  }
}
