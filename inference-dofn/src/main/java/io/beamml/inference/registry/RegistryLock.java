package io.beamml.inference.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * A writer's exclusive hold on one model's aliases: a lock file created if absent and, on close,
 * deleted only if it is still the one this writer created (its generation), so a writer never
 * removes another's lock. Holds last milliseconds (read two small files, write two). A writer
 * killed while holding it leaves the file behind; the next writer then waits, gives up and names
 * the file to delete.
 */
final class RegistryLock implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryStorage storage;
  private final String path;
  private final long generation;

  private RegistryLock(RegistryStorage storage, String path, long generation) {
    this.storage = storage;
    this.path = path;
    this.generation = generation;
  }

  static RegistryLock acquire(RegistryStorage storage, String path, long waitMillis)
      throws IOException {
    // The nonce makes every holder's bytes unique, which the stores rely on to recognise their own
    // write.
    byte[] owner =
        JSON.writeValueAsBytes(
            Map.of(
                "writer",
                Writers.id(),
                "since",
                Instant.now().toString(),
                "nonce",
                UUID.randomUUID().toString()));
    long deadline = System.nanoTime() + waitMillis * 1_000_000;
    long sleep = 2;
    while (true) {
      OptionalLong created = storage.writeIfGeneration(path, owner, RegistryStorage.ABSENT);
      if (created.isPresent()) {
        return new RegistryLock(storage, path, created.getAsLong());
      }
      if (System.nanoTime() > deadline) {
        RegistryStorage.Versioned held = storage.read(path);
        throw new IllegalStateException(
            "the registry lock "
                + path
                + " has been held for over "
                + waitMillis / 1000
                + " s by "
                + (held == null
                    ? "(released just now)"
                    : new String(held.bytes(), StandardCharsets.UTF_8))
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
  }

  @Override
  public void close() {
    try {
      storage.deleteIfGeneration(path, generation);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot release the registry lock " + path + ": delete it by hand", e);
    }
  }
}
