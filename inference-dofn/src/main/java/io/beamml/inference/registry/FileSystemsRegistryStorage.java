package io.beamml.inference.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.io.FileSystems;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry on any other Beam file system ({@code s3://}, {@code hdfs://}, ...). Beam's
 * FileSystems API has no conditional write, so the conditional primitives check, then write: two
 * writers racing can both win. It says so once per scheme (see README, "The model registry").
 */
final class FileSystemsRegistryStorage implements RegistryStorage {

  static final FileSystemsRegistryStorage INSTANCE = new FileSystemsRegistryStorage();

  private static final Logger LOG = LoggerFactory.getLogger(FileSystemsRegistryStorage.class);
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private FileSystemsRegistryStorage() {}

  /**
   * A generation for stores without one: the first 8 bytes of the SHA-256 of the content, never
   * ABSENT.
   */
  static long generationOf(byte[] bytes) {
    long g = ByteBuffer.wrap(RegistryFiles.sha256(bytes)).getLong();
    return g == ABSENT ? 1 : g;
  }

  @Override
  public @Nullable Versioned read(String path) throws IOException {
    byte[] bytes = RegistryFiles.readIfExists(path);
    return bytes == null ? null : new Versioned(bytes, generationOf(bytes));
  }

  @Override
  public List<String> list(String glob) throws IOException {
    return RegistryFiles.list(glob);
  }

  @Override
  public void write(String path, byte[] bytes) throws IOException {
    RegistryFiles.write(path, bytes);
  }

  @Override
  public OptionalLong writeIfGeneration(String path, byte[] bytes, long expectedGeneration)
      throws IOException {
    warnNotAtomic(path);
    Versioned current = read(path);
    long actual = current == null ? ABSENT : current.generation();
    if (actual != expectedGeneration) {
      return OptionalLong.empty();
    }
    write(path, bytes);
    return OptionalLong.of(generationOf(bytes));
  }

  @Override
  public boolean deleteIfGeneration(String path, long generation) throws IOException {
    Versioned current = read(path);
    if (current == null || current.generation() != generation) {
      return false;
    }
    FileSystems.delete(List.of(FileSystems.matchNewResource(path, false)));
    return true;
  }

  @Override
  public boolean atomicCreate() {
    return false;
  }

  private static void warnNotAtomic(String path) {
    int colon = path.indexOf(':');
    String scheme = colon < 0 ? path : path.substring(0, colon);
    if (WARNED.add(scheme)) {
      LOG.warn(
          "{}:// has no create-if-absent through Beam's FileSystems: registry writes there are check-then-write, "
              + "so run one train/register/promote per model at a time (local paths and gs:// are atomic)",
          scheme);
    }
  }
}
