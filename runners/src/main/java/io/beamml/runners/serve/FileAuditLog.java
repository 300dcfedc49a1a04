package io.beamml.runners.serve;

import io.beamml.pipelines.io.JsonRecords;
import io.beamml.schemas.AuditRecord;
import io.beamml.serving.AuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Audit records as JSON Lines (the stream's audit JSON), one file per UTC day under a directory,
 * appended and flushed per request, so a record is on disk before its score is answered.
 */
public final class FileAuditLog implements AuditLog {

  private final Path dir;
  private LocalDate day;
  private Writer writer;

  public FileAuditLog(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the audit directory " + dir, e);
    }
  }

  @Override
  public synchronized void write(List<AuditRecord> records) {
    try {
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      if (!today.equals(day)) {
        close();
        writer =
            Files.newBufferedWriter(
                dir.resolve("audit-" + today + ".jsonl"),
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        day = today;
      }
      for (AuditRecord r : records) {
        writer.write(JsonRecords.render(r));
        writer.write('\n');
      }
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write audit records to " + dir, e);
    }
  }

  @Override
  public synchronized void close() {
    if (writer != null) {
      try {
        writer.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        writer = null;
      }
    }
  }
}
