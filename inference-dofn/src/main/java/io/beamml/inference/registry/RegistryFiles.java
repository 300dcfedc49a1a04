package io.beamml.inference.registry;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Byte-level file access through Beam's {@link FileSystems}, so the registry works on local
 * disk, {@code gs://} or any other registered scheme without new code.
 *
 * <p>Concurrent writers need two primitives beyond plain writes: {@link #createIfAbsent} and
 * {@link #publish}. On local files they are atomic (an exclusive create, a rename). Beam's
 * FileSystems API has no conditional create, so on any other scheme they fall back to
 * check-then-write and log once that two concurrent writers are not safe there (see README,
 * "Model registry").
 */
public final class RegistryFiles {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryFiles.class);
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private RegistryFiles() {}

  /** Joins path segments with '/', the separator every Beam file system accepts. */
  public static String join(String root, String... parts) {
    StringBuilder b = new StringBuilder(root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
    for (String p : parts) {
      b.append('/').append(p);
    }
    return b.toString();
  }

  /** The file's bytes, or null if it does not exist. */
  public static byte @Nullable [] readIfExists(String path) throws IOException {
    MatchResult match = FileSystems.match(path, EmptyMatchTreatment.ALLOW);
    if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
      return null;
    }
    return read(match.metadata().get(0).resourceId());
  }

  public static byte[] read(String path) throws IOException {
    byte[] bytes = readIfExists(path);
    if (bytes == null) {
      throw new FileNotFoundException(path);
    }
    return bytes;
  }

  private static byte[] read(ResourceId id) throws IOException {
    try (InputStream in = Channels.newInputStream(FileSystems.open(id))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException(id.toString());
    }
  }

  public static boolean exists(String path) throws IOException {
    MatchResult match = FileSystems.match(path, EmptyMatchTreatment.ALLOW);
    return match.status() == MatchResult.Status.OK && !match.metadata().isEmpty();
  }

  /** Writes (replacing) a whole file; parent directories are created by the file system. */
  public static void write(String path, byte[] bytes) throws IOException {
    ResourceId id = FileSystems.matchNewResource(path, false);
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(id, MimeTypes.BINARY))) {
      out.write(bytes);
    }
  }

  /**
   * Creates a file holding {@code bytes} unless one exists: true if this call created it, false
   * if it was there already. Atomic on local files, where the file appears complete or not at all.
   */
  public static boolean createIfAbsent(String path, byte[] bytes) throws IOException {
    Path local = localPath(path);
    if (local == null) {
      warnNotAtomic(path);
      if (exists(path)) {
        return false;
      }
      write(path, bytes);
      return true;
    }
    Path temp = finishedTemp(local, bytes);
    try {
      // A hard link fails if the name exists, so readers see the whole file or none.
      Files.createLink(local, temp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException e) {
      try {
        Files.write(local, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return true;
      } catch (FileAlreadyExistsException exists) {
        return false;
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Replaces a whole file so that a reader sees the old or the new bytes, never a mix: a rename
   * of a finished temporary file on local disk; object stores replace objects whole anyway.
   */
  public static void publish(String path, byte[] bytes) throws IOException {
    Path local = localPath(path);
    if (local == null) {
      write(path, bytes);
      return;
    }
    Path temp = finishedTemp(local, bytes);
    try {
      Files.move(temp, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * A hidden file beside {@code target} holding {@code bytes}, created like any other file (so with
   * the same permissions a plain write would give, unlike {@link Files#createTempFile}'s owner-only).
   */
  private static Path finishedTemp(Path target, byte[] bytes) throws IOException {
    Files.createDirectories(target.getParent());
    Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.write(temp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return temp;
  }

  /** Deletes a file if it exists. */
  public static void delete(String path) throws IOException {
    Path local = localPath(path);
    if (local != null) {
      Files.deleteIfExists(local);
      return;
    }
    if (exists(path)) {
      FileSystems.delete(List.of(FileSystems.matchNewResource(path, false)));
    }
  }

  /** True when create-if-absent is atomic for this path (local files). */
  public static boolean atomicCreateSupported(String path) {
    return localPath(path) != null;
  }

  private static @Nullable Path localPath(String path) {
    if (path.startsWith("file:")) {
      return Path.of(URI.create(path));
    }
    if (path.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      return null;
    }
    return Path.of(path);
  }

  private static void warnNotAtomic(String path) {
    String scheme = path.substring(0, path.indexOf(':'));
    if (WARNED.add(scheme)) {
      LOG.warn(
          "{}:// has no create-if-absent through Beam's FileSystems: registry writes there are check-then-write, "
              + "so run one train/register/promote per model at a time", scheme);
    }
  }

  /** Paths matching a glob, sorted; empty when nothing matches. */
  public static List<String> list(String glob) throws IOException {
    MatchResult match = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
    List<String> paths = new ArrayList<>();
    if (match.status() == MatchResult.Status.OK) {
      for (MatchResult.Metadata m : match.metadata()) {
        paths.add(m.resourceId().toString());
      }
    }
    paths.sort(null);
    return paths;
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
