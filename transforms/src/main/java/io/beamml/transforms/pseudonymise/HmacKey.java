package io.beamml.transforms.pseudonymise;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;
import org.apache.beam.sdk.io.FileSystems;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The secret behind customer pseudonyms. A keyed HMAC, unlike a plain hash, cannot be reversed by
 * hashing every plausible customer id, as long as the key stays secret; so the key never appears in
 * {@link #toString()}, logs or error messages.
 *
 * <p>The key is the bytes of its source (file or environment variable) with trailing line breaks
 * removed; nothing is decoded, so a hex text key is used as its text. Every source must yield at
 * least {@value #MIN_BYTES} bytes. The same key must be used by every run whose outputs are joined,
 * or the same customer gets different keys.
 *
 * <p>The key bytes are serialised with the transforms that use them, which is how they reach the
 * workers: a serialised pipeline built with a key carries that key.
 */
public final class HmacKey implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The environment variable read when no key file is given. */
  public static final String DEFAULT_ENV_VAR = "PIPELINE_HMAC_KEY";

  /** Fewer key bytes than this are refused. */
  public static final int MIN_BYTES = 16;

  static final String ALGORITHM = "HmacSHA256";

  private static final int LOCAL_KEY_BYTES = 32;

  private final byte[] bytes;

  private HmacKey(byte[] bytes, String origin) {
    if (bytes.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          "HMAC key from "
              + origin
              + " is "
              + bytes.length
              + " bytes; at least "
              + MIN_BYTES
              + " are required (a local demo key can be made with HmacKey.createLocalKey)");
    }
    this.bytes = bytes;
  }

  /** A key from bytes held elsewhere (a secret manager, a test); the array is copied. */
  public static HmacKey ofBytes(byte[] key) {
    return new HmacKey(Arrays.copyOf(Objects.requireNonNull(key, "key"), key.length), "bytes");
  }

  /** The key held in a file on any Beam file system (local, gs://, ...). */
  public static HmacKey fromFile(String path) {
    Objects.requireNonNull(path, "path");
    byte[] content;
    try (InputStream in =
        Channels.newInputStream(
            FileSystems.open(FileSystems.matchSingleFileSpec(path).resourceId()))) {
      content = in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read HMAC key file " + path, e);
    }
    return new HmacKey(trimLineBreaks(content), "key file " + path);
  }

  /** The key in the {@value #DEFAULT_ENV_VAR} environment variable. */
  public static HmacKey fromEnvironment() {
    return fromEnvironment(DEFAULT_ENV_VAR);
  }

  /** The key in the named environment variable. */
  public static HmacKey fromEnvironment(String varName) {
    String value = System.getenv(Objects.requireNonNull(varName, "varName"));
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(
          "no HMAC key: environment variable " + varName + " is not set");
    }
    return fromText(value, "environment variable " + varName);
  }

  /**
   * The key a run uses: the key file if one is given, else {@value #DEFAULT_ENV_VAR} from {@code
   * env} (pass {@code System.getenv()}).
   */
  public static HmacKey resolve(@Nullable String keyFile, Map<String, String> env) {
    if (keyFile != null && !keyFile.isBlank()) {
      return fromFile(keyFile);
    }
    String value = env.get(DEFAULT_ENV_VAR);
    if (value != null && !value.isEmpty()) {
      return fromText(value, "environment variable " + DEFAULT_ENV_VAR);
    }
    throw new IllegalArgumentException(
        "no HMAC key: pass --hmacKeyFile=FILE or set " + DEFAULT_ENV_VAR);
  }

  /**
   * For demos only: the key in {@code path}, created first if missing as {@value #LOCAL_KEY_BYTES}
   * random bytes written as hex, readable and writable by the owner alone (on POSIX file systems).
   * An existing file is reused so that repeated demo runs produce the same pseudonyms.
   */
  public static HmacKey createLocalKey(Path path) {
    Objects.requireNonNull(path, "path");
    if (!Files.exists(path)) {
      byte[] random = new byte[LOCAL_KEY_BYTES];
      new SecureRandom().nextBytes(random);
      byte[] text = (HexFormat.of().formatHex(random) + "\n").getBytes(StandardCharsets.US_ASCII);
      try {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        writeOwnerOnly(path, text);
      } catch (FileAlreadyExistsException raced) {
        // Another process made it first: use theirs.
      } catch (IOException e) {
        throw new IllegalStateException("cannot create local HMAC key file " + path, e);
      }
    }
    try {
      return new HmacKey(trimLineBreaks(Files.readAllBytes(path)), "key file " + path);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read HMAC key file " + path, e);
    }
  }

  SecretKeySpec secretKeySpec() {
    return new SecretKeySpec(bytes, ALGORITHM);
  }

  /** Says how long the key is, never what it is. */
  @Override
  public String toString() {
    return "HmacKey(" + bytes.length + " bytes)";
  }

  private static HmacKey fromText(String value, String origin) {
    return new HmacKey(trimLineBreaks(value.getBytes(StandardCharsets.UTF_8)), origin);
  }

  /** Creates the file with owner-only permissions from the start, so others can never read it. */
  private static void writeOwnerOnly(Path path, byte[] content) throws IOException {
    FileAttribute<?>[] attributes =
        path.getFileSystem().supportedFileAttributeViews().contains("posix")
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(
                  EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))
            }
            : new FileAttribute<?>[0];
    EnumSet<StandardOpenOption> options =
        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try (SeekableByteChannel channel = Files.newByteChannel(path, options, attributes)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }

  private static byte[] trimLineBreaks(byte[] content) {
    int end = content.length;
    while (end > 0 && (content[end - 1] == '\n' || content[end - 1] == '\r')) {
      end--;
    }
    return Arrays.copyOf(content, end);
  }
}
