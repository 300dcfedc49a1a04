package io.beamml.inference.registry;

import java.io.IOException;
import java.util.List;
import java.util.OptionalLong;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The few storage calls the registry makes, so that {@link ModelRegistry} alone keeps the
 * registry's invariants and each store only supplies two conditional primitives: write if the
 * object is at a generation (create-if-absent when {@link #ABSENT}), and delete if it is.
 *
 * <p>A generation names one state of an object: GCS's own object generation on {@code gs://}
 * ({@link GcsRegistryStorage}), a hash of the bytes elsewhere. Implementations: {@link
 * LocalRegistryStorage} (local and shared POSIX paths), {@link GcsRegistryStorage} ({@code gs://}
 * through the Cloud Storage client and its preconditions), {@link FileSystemsRegistryStorage} (any
 * other Beam file system, check-then-write).
 */
public interface RegistryStorage {

  /** The generation an object has when it does not exist: writing at it is create-if-absent. */
  long ABSENT = 0L;

  /** An object's bytes and the generation they were read at. */
  record Versioned(byte[] bytes, long generation) {}

  /** The object's bytes and generation, or null if it does not exist. */
  @Nullable Versioned read(String path) throws IOException;

  /** Paths matching a glob ({@code *} within a path segment), sorted; empty when none do. */
  List<String> list(String glob) throws IOException;

  /** Writes (replacing) a whole object, which readers see whole or not at all. */
  void write(String path, byte[] bytes) throws IOException;

  /**
   * Writes {@code bytes} only if the object is still at {@code expectedGeneration} ({@link
   * #ABSENT}: only if it does not exist). Create-if-absent is atomic where {@link #atomicCreate()}
   * says so; replacing at a generation is atomic on GCS, and elsewhere a check then an atomic
   * replace, which is why {@link ModelRegistry} moves aliases only under its lock (itself created
   * if absent).
   *
   * @return the new generation, or empty if the object was not at {@code expectedGeneration}
   *     (nothing was written)
   */
  OptionalLong writeIfGeneration(String path, byte[] bytes, long expectedGeneration)
      throws IOException;

  /** Deletes the object only if it is at {@code generation}; false if it was not (or is gone). */
  boolean deleteIfGeneration(String path, long generation) throws IOException;

  /**
   * True when create-if-absent is atomic against every other writer, in this process or any other.
   * False for stores that can only check, then write: two writers racing there can both win.
   */
  boolean atomicCreate();

  /** The store a registry root lives on, chosen by the root's scheme. */
  static RegistryStorage forRoot(String root) {
    if (root.startsWith("gs://")) {
      try {
        return GcsRegistryStorage.shared();
      } catch (NoClassDefFoundError e) {
        throw new IllegalStateException(
            "a gs:// registry needs the Cloud Storage client (com.google.cloud:google-cloud-storage, which Beam's "
                + "GCP IO brings) on the classpath; the bundled jar has it",
            e);
      }
    }
    if (LocalRegistryStorage.isLocal(root)) {
      return LocalRegistryStorage.INSTANCE;
    }
    return FileSystemsRegistryStorage.INSTANCE;
  }
}
