package io.beamml.inference.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * A writer's exclusive hold on one model's aliases: a lock file created if absent and deleted on
 * close. Holds last milliseconds (read two small files, write two). A writer killed while holding
 * it leaves the file behind; the next writer then waits, gives up and names the file to delete.
 */
final class RegistryLock implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String path;

  private RegistryLock(String path) {
    this.path = path;
  }

  static RegistryLock acquire(String path, long waitMillis) throws IOException {
    byte[] owner = JSON.writeValueAsBytes(Map.of("writer", Writers.id(), "since", Instant.now().toString()));
    long deadline = System.nanoTime() + waitMillis * 1_000_000;
    long sleep = 2;
    while (!RegistryFiles.createIfAbsent(path, owner)) {
      if (System.nanoTime() > deadline) {
        byte[] held = RegistryFiles.readIfExists(path);
        throw new IllegalStateException(
            "the registry lock " + path + " has been held for over " + waitMillis / 1000 + " s by "
                + (held == null ? "(released just now)" : new String(held, StandardCharsets.UTF_8))
                + ": if no train/register/promote is running, that writer died; delete the file and re-run");
      }
      try {
        Thread.sleep(sleep + (long) (Math.random() * sleep));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the registry lock " + path, e);
      }
      sleep = Math.min(sleep * 2, 100);
    }
    return new RegistryLock(path);
  }

  @Override
  public void close() {
    try {
      RegistryFiles.delete(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the registry lock " + path + ": delete it by hand", e);
    }
  }
}
