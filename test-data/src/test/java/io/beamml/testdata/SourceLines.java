package io.beamml.testdata;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** The data lines of one generated source, read back from its files for recounting. */
final class SourceLines {
  /** One data line and where it sits. */
  static final class DataLine {
    final String file;
    final int position;
    final int linesInFile;
    final String content;
    final boolean crlf;

    DataLine(String file, int position, int linesInFile, String content, boolean crlf) {
      this.file = file;
      this.position = position;
      this.linesInFile = linesInFile;
      this.content = content;
      this.crlf = crlf;
    }
  }

  final String source;
  final List<DataLine> lines = new ArrayList<>();
  long headerLines;
  long lfLines;
  long crlfLines;

  /** Files with two or more physical lines that do not mix both endings. */
  final List<String> filesWithOneEnding = new ArrayList<>();

  private SourceLines(String source) {
    this.source = source;
  }

  /** Reads the files the manifest lists; CSV files must start with {@code header}. */
  static SourceLines read(Path outDir, SourceCounts counts, String header) throws IOException {
    SourceLines out = new SourceLines(counts.source());
    for (String file : counts.files()) {
      List<PhysicalLines.Line> physical = PhysicalLines.read(outDir.resolve(file));
      int first = 0;
      if (header != null) {
        assertEquals(file + " header", header, physical.get(0).content);
        out.headerLines++;
        first = 1;
      }
      boolean lf = false;
      boolean crlf = false;
      for (PhysicalLines.Line line : physical) {
        lf |= !line.crlf;
        crlf |= line.crlf;
        if (line.crlf) {
          out.crlfLines++;
        } else {
          out.lfLines++;
        }
      }
      if (physical.size() >= 2 && !(lf && crlf)) {
        out.filesWithOneEnding.add(file);
      }
      int n = physical.size() - first;
      for (int i = first; i < physical.size(); i++) {
        PhysicalLines.Line line = physical.get(i);
        out.lines.add(new DataLine(file, i - first, n, line.content, line.crlf));
      }
    }
    return out;
  }

  /** The reason check for a source, from {@link ContractReader}. */
  static Function<String, Set<String>> reasonsOf(String source) {
    switch (source) {
      case GenerationManifest.CLICKS:
        return ContractReader::clickReasons;
      case GenerationManifest.SALES:
        return ContractReader::salesReasons;
      case GenerationManifest.PROFILES:
        return ContractReader::profileReasons;
      case GenerationManifest.RESPONSES:
        return ContractReader::responseReasons;
      default:
        throw new IllegalArgumentException(source);
    }
  }

  /** The header a source's files start with, or null for JSON Lines. */
  static String headerOf(String source) {
    switch (source) {
      case GenerationManifest.CLICKS:
        return null;
      case GenerationManifest.SALES:
        return DataGenerator.SALES_HEADER;
      case GenerationManifest.PROFILES:
        return DataGenerator.PROFILES_HEADER;
      case GenerationManifest.RESPONSES:
        return DataGenerator.RESPONSES_HEADER;
      default:
        throw new IllegalArgumentException(source);
    }
  }

  /** The dedup key of a valid line: event id, order id, customer id, promo id. */
  static String idOf(String source, String validLine) {
    if (source.equals(GenerationManifest.CLICKS)) {
      return ContractReader.json(validLine).get("event_id").textValue();
    }
    return validLine.substring(0, validLine.indexOf(','));
  }

  /** The customer id of a valid line. */
  static String customerOf(String source, String validLine) {
    if (source.equals(GenerationManifest.CLICKS)) {
      return ContractReader.json(validLine).get("customer_id").textValue();
    }
    return validLine.split(",", -1)[source.equals(GenerationManifest.PROFILES) ? 0 : 1];
  }
}
