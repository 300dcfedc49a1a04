package io.beamml.pipelines.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Writes a rendered report (an HTML page and its pictures) into a directory on any Beam file
 * system.
 */
public final class ReportFiles {

  private ReportFiles() {}

  /** File name to bytes, each written as {@code outputDir/name}. */
  public static void write(String outputDir, Map<String, byte[]> files) {
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      String path = outputDir + "/" + file.getKey();
      ResourceId target = FileSystems.matchNewResource(path, false);
      String mime =
          file.getKey().endsWith(".html")
              ? "text/html"
              : file.getKey().endsWith(".png")
                  ? "image/png"
                  : file.getKey().endsWith(".json") ? "application/json" : MimeTypes.BINARY;
      try (OutputStream stream = Channels.newOutputStream(FileSystems.create(target, mime))) {
        stream.write(file.getValue());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + path, e);
      }
    }
  }
}
