package io.beamml.inference.registry;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Whole-file reads and writes through Beam's {@link FileSystems} (local disk, {@code gs://} or any
 * other registered scheme), for files beside the registry (a model to import, an export) and for
 * the registry stores that list or read through Beam. The registry's conditional writes are {@link
 * RegistryStorage}'s.
 */
public final class RegistryFiles {

  private RegistryFiles() {}

  /** Joins path segments with '/', the separator every Beam file system accepts. */
  public static String join(String root, String... parts) {
    StringBuilder b =
        new StringBuilder(root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
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

  /** Writes (replacing) a whole file; parent directories are created by the file system. */
  public static void write(String path, byte[] bytes) throws IOException {
    ResourceId id = FileSystems.matchNewResource(path, false);
    try (OutputStream out = Channels.newOutputStream(FileSystems.create(id, MimeTypes.BINARY))) {
      out.write(bytes);
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

  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256(bytes));
  }
}
