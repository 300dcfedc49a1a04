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

  /** Content types by file suffix; anything else is written as binary. */
  private static final Map<String, String> MIME_TYPES =
      Map.of(".html", "text/html", ".png", "image/png", ".json", "application/json");

  private ReportFiles() {}

  private static String mimeType(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0
        ? MimeTypes.BINARY
        : MIME_TYPES.getOrDefault(name.substring(dot), MimeTypes.BINARY);
  }

  /** File name to bytes, each written as {@code outputDir/name}. */
  public static void write(String outputDir, Map<String, byte[]> files) {
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      String path = outputDir + "/" + file.getKey();
      ResourceId target = FileSystems.matchNewResource(path, false);
      String mime = mimeType(file.getKey());
      try (OutputStream stream = Channels.newOutputStream(FileSystems.create(target, mime))) {
        stream.write(file.getValue());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + path, e);
      }
    }
  }
}
