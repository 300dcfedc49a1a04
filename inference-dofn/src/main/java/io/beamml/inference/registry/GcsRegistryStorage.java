package io.beamml.inference.registry;

import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A registry on {@code gs://}, through the Cloud Storage client rather than Beam's FileSystems,
 * because only the client exposes preconditions: create-if-absent is a write with {@code
 * ifGenerationMatch=0}, replace-at-a-generation one with {@code ifGenerationMatch=G}, and both are
 * atomic on the service (an object's generation changes with every write). Reads return the
 * generation they read, so a compare-and-set compares with exactly what the writer saw.
 *
 * <p>The client retries a conditional write after a transient error; if the first attempt had
 * landed, the retry fails its precondition. A failed precondition whose object now holds this
 * writer's very bytes is therefore this writer's own write (lock, claim and history contents are
 * unique to their writer).
 */
final class GcsRegistryStorage implements RegistryStorage {

  /** HTTP 412: the object was not at the generation a write or delete named. */
  private static final int PRECONDITION_FAILED = 412;

  private static final int NOT_FOUND = 404;
  private static final int READ_ATTEMPTS = 5;

  private final Storage storage;

  GcsRegistryStorage(Storage storage) {
    this.storage = storage;
  }

  /**
   * One client per JVM, with the application default credentials Beam's GCS file system uses too.
   */
  static GcsRegistryStorage shared() {
    return Shared.INSTANCE;
  }

  private static final class Shared {
    static final GcsRegistryStorage INSTANCE =
        new GcsRegistryStorage(StorageOptions.getDefaultInstance().getService());
  }

  @Override
  public @Nullable Versioned read(String path) throws IOException {
    BlobId id = blobId(path);
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      try {
        Blob blob = storage.get(id);
        if (blob == null) {
          return null;
        }
        long generation = blob.getGeneration();
        // Read exactly the generation looked up: bytes and generation always belong together.
        byte[] bytes = storage.readAllBytes(BlobId.of(id.getBucket(), id.getName(), generation));
        return new Versioned(bytes, generation);
      } catch (StorageException e) {
        if (e.getCode() != NOT_FOUND) {
          throw new IOException("cannot read " + path + ": " + e.getMessage(), e);
        }
        // Replaced or deleted between the lookup and the read: look again.
      }
    }
    throw new IOException(
        "cannot read " + path + ": it changed under " + READ_ATTEMPTS + " reads in a row");
  }

  @Override
  public List<String> list(String glob) throws IOException {
    BlobId pattern = blobId(glob);
    String name = pattern.getName();
    int wildcard = firstWildcard(name);
    String prefix = wildcard < 0 ? name : name.substring(0, wildcard);
    Pattern matcher = globToRegex(name);
    List<String> paths = new ArrayList<>();
    try {
      for (Blob blob :
          storage.list(pattern.getBucket(), Storage.BlobListOption.prefix(prefix)).iterateAll()) {
        if (matcher.matcher(blob.getName()).matches()) {
          paths.add("gs://" + pattern.getBucket() + "/" + blob.getName());
        }
      }
    } catch (StorageException e) {
      throw new IOException("cannot list " + glob + ": " + e.getMessage(), e);
    }
    paths.sort(null);
    return paths;
  }

  @Override
  public void write(String path, byte[] bytes) throws IOException {
    try {
      storage.create(info(path), bytes);
    } catch (StorageException e) {
      throw new IOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public OptionalLong writeIfGeneration(String path, byte[] bytes, long expectedGeneration)
      throws IOException {
    Storage.BlobTargetOption precondition =
        expectedGeneration == ABSENT
            ? Storage.BlobTargetOption.doesNotExist()
            : Storage.BlobTargetOption.generationMatch(expectedGeneration);
    try {
      return OptionalLong.of(storage.create(info(path), bytes, precondition).getGeneration());
    } catch (StorageException e) {
      if (e.getCode() != PRECONDITION_FAILED) {
        throw new IOException("cannot write " + path + ": " + e.getMessage(), e);
      }
      Versioned now = read(path);
      if (now != null && Arrays.equals(now.bytes(), bytes)) {
        return OptionalLong.of(now.generation());
      }
      return OptionalLong.empty();
    }
  }

  @Override
  public boolean deleteIfGeneration(String path, long generation) throws IOException {
    try {
      return storage.delete(blobId(path), Storage.BlobSourceOption.generationMatch(generation));
    } catch (StorageException e) {
      if (e.getCode() == PRECONDITION_FAILED) {
        return false;
      }
      throw new IOException("cannot delete " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean atomicCreate() {
    return true;
  }

  private static BlobInfo info(String path) {
    return BlobInfo.newBuilder(blobId(path)).setContentType("application/octet-stream").build();
  }

  /** {@code gs://BUCKET/NAME} as a bucket and an object name. */
  static BlobId blobId(String path) {
    if (!path.startsWith("gs://")) {
      throw new IllegalArgumentException("not a gs:// path: " + path);
    }
    String rest = path.substring("gs://".length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException(
          "a gs:// registry path needs a bucket and an object name: " + path);
    }
    return BlobId.of(rest.substring(0, slash), rest.substring(slash + 1));
  }

  private static int firstWildcard(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '*' || c == '?') {
        return i;
      }
    }
    return -1;
  }

  /** {@code *} and {@code ?} stay within one path segment, {@code **} crosses them. */
  static Pattern globToRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          regex.append(".*");
          i++;
        } else {
          regex.append("[^/]*");
        }
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
