package io.beamml.inference.registry;

import com.google.api.client.util.DateTime;
import com.google.api.services.storage.model.StorageObject;
import com.google.cloud.NoCredentials;
import com.google.cloud.Tuple;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.spi.StorageRpcFactory;
import com.google.cloud.storage.spi.v1.StorageRpc;
import com.google.cloud.storage.testing.StorageRpcTestBase;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory Cloud Storage behind the real client ({@link Storage} from {@link #storage()}), with
 * GCS's generation semantics: every write makes a new generation, {@code ifGenerationMatch} (0:
 * must not exist) is checked atomically with the write or delete, a failed precondition is HTTP
 * 412, reading a generation that is no longer live is 404. Thread-safe. Only the calls the registry
 * makes are implemented; any other throws.
 *
 * <p>Why not google-cloud-nio's {@code LocalStorageHelper}: its fake refuses any option on a
 * one-shot create ({@code UnsupportedOperationException}, so no preconditions), ignores
 * preconditions on delete, and is documented as not thread-safe.
 */
final class InMemoryGcs extends StorageRpcTestBase {

  private static final Set<StorageRpc.Option> UNSUPPORTED_PRECONDITIONS =
      Set.of(
          StorageRpc.Option.IF_GENERATION_NOT_MATCH,
          StorageRpc.Option.IF_METAGENERATION_MATCH,
          StorageRpc.Option.IF_METAGENERATION_NOT_MATCH);

  private record Stored(StorageObject metadata, byte[] bytes) {}

  /** bucket/name to its live generation. */
  private final Map<String, Stored> objects = new TreeMap<>();

  private long lastGeneration = 1_700_000_000_000_000L;
  private int writes;

  /** A client whose every call lands in a fresh in-memory store. */
  static Storage storage() {
    return storageOn(new InMemoryGcs());
  }

  static Storage storageOn(InMemoryGcs rpc) {
    StorageRpcFactory factory = options -> rpc;
    return StorageOptions.newBuilder()
        .setProjectId("beamml-test")
        .setCredentials(NoCredentials.getInstance())
        .setServiceRpcFactory(factory)
        .build()
        .getService();
  }

  /** How many objects were written (created or replaced), for tests that count attempts. */
  synchronized int writes() {
    return writes;
  }

  @Override
  public synchronized StorageObject create(
      StorageObject object, InputStream content, Map<StorageRpc.Option, ?> options) {
    String key = key(object);
    checkPrecondition(key, options);
    byte[] bytes;
    try {
      bytes = content.readAllBytes();
    } catch (IOException e) {
      throw new StorageException(e);
    }
    StorageObject stored = object.clone();
    stored.setGeneration(++lastGeneration);
    stored.setMetageneration(1L);
    stored.setSize(BigInteger.valueOf(bytes.length));
    stored.setUpdated(new DateTime(System.currentTimeMillis()));
    objects.put(key, new Stored(stored, bytes));
    writes++;
    return stored.clone();
  }

  @Override
  public synchronized StorageObject get(StorageObject object, Map<StorageRpc.Option, ?> options) {
    Stored stored = objects.get(key(object));
    if (stored == null
        || (object.getGeneration() != null
            && !object.getGeneration().equals(stored.metadata().getGeneration()))) {
      return null;
    }
    return stored.metadata().clone();
  }

  @Override
  public synchronized byte[] load(StorageObject object, Map<StorageRpc.Option, ?> options) {
    String key = key(object);
    checkPrecondition(key, options);
    Stored stored = objects.get(key);
    if (stored == null
        || (object.getGeneration() != null
            && !object.getGeneration().equals(stored.metadata().getGeneration()))) {
      throw new StorageException(
          404,
          "No such object: "
              + key
              + (object.getGeneration() == null ? "" : "#" + object.getGeneration()));
    }
    return stored.bytes().clone();
  }

  @Override
  public synchronized Tuple<String, Iterable<StorageObject>> list(
      String bucket, Map<StorageRpc.Option, ?> options) {
    for (StorageRpc.Option option : options.keySet()) {
      if (option != StorageRpc.Option.PREFIX && option != StorageRpc.Option.FIELDS) {
        throw new UnsupportedOperationException("list option " + option);
      }
    }
    String prefix =
        bucket
            + "/"
            + (options.containsKey(StorageRpc.Option.PREFIX)
                ? (String) options.get(StorageRpc.Option.PREFIX)
                : "");
    List<StorageObject> page = new ArrayList<>();
    for (Map.Entry<String, Stored> e : objects.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        page.add(e.getValue().metadata().clone());
      }
    }
    return Tuple.of(null, page);
  }

  @Override
  public synchronized boolean delete(StorageObject object, Map<StorageRpc.Option, ?> options) {
    String key = key(object);
    if (!objects.containsKey(key)) {
      return false;
    }
    checkPrecondition(key, options);
    objects.remove(key);
    return true;
  }

  private void checkPrecondition(String key, Map<StorageRpc.Option, ?> options) {
    for (StorageRpc.Option option : options.keySet()) {
      if (UNSUPPORTED_PRECONDITIONS.contains(option)) {
        throw new UnsupportedOperationException("precondition " + option);
      }
    }
    Object expected = options.get(StorageRpc.Option.IF_GENERATION_MATCH);
    if (expected == null) {
      return;
    }
    long wanted = ((Number) expected).longValue();
    Stored current = objects.get(key);
    long actual = current == null ? 0L : current.metadata().getGeneration();
    if (wanted != actual) {
      throw new StorageException(
          412, "Precondition Failed: " + key + " is at generation " + actual + ", not " + wanted);
    }
  }

  private static String key(StorageObject object) {
    return object.getBucket() + "/" + object.getName();
  }
}
