package io.beamml.testdata;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One output file written line by line with mixed line endings: the first line ends in {@code
 * \r\n}, the second in {@code \n}, later lines at random, so every file of two or more lines has
 * both. Every line, the last included, ends with a line ending.
 */
final class LineFile implements Closeable {
  static final double CRLF_SHARE = 0.3;

  private final Writer out;
  private final Rng rng;
  private long lines;
  private long lf;
  private long crlf;

  LineFile(Path path, Rng rng) throws IOException {
    Files.createDirectories(path.getParent());
    this.out =
        new BufferedWriter(
            new OutputStreamWriter(Files.newOutputStream(path), StandardCharsets.UTF_8), 1 << 16);
    this.rng = rng;
  }

  void write(CharSequence line) throws IOException {
    out.append(line);
    boolean windows = lines == 0 || (lines > 1 && rng.chance(CRLF_SHARE));
    out.write(windows ? "\r\n" : "\n");
    if (windows) {
      crlf++;
    } else {
      lf++;
    }
    lines++;
  }

  long lfLines() {
    return lf;
  }

  long crlfLines() {
    return crlf;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
