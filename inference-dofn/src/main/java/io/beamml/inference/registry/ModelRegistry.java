package io.beamml.inference.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A model registry kept as a directory tree, readable and writable through Beam's FileSystems:
 *
 * <pre>
 * ROOT/NAME/versions/VERSION/metadata.json   immutable once written
 * ROOT/NAME/versions/VERSION/model.json|ubj  the XGBoost model, checked against metadata.sha256
 * ROOT/NAME/versions/VERSION/...             attachments (model card, plots, reference data)
 * ROOT/NAME/aliases.json                     alias -> version
 * ROOT/NAME/alias-history.jsonl              every alias move, appended
 * </pre>
 *
 * Versions are whole numbers allocated in order. The policy of when an alias may move (the
 * promotion gate) lives with training; this class only keeps the layout and its invariants.
 *
 * <p>Concurrent writers: a version number is taken by creating {@code versions/N/claim.json} if
 * absent (a writer that loses takes N+1), so two registrations never share a number and every file
 * of a version is written knowing its own number. Alias moves are compare-and-set under {@code
 * NAME/registry.lock} (created if absent, deleted after): a move names the version it expects the
 * alias at and fails with {@link AliasConflictException} if another writer moved it first; the
 * history and {@code aliases.json} are then replaced only at the generations read under the lock.
 * The store ({@link RegistryStorage}) supplies the conditional writes: atomic on local files and on
 * {@code gs://} (GCS preconditions), check-then-write on other schemes.
 */
public final class ModelRegistry implements Serializable {

  public static final String METADATA_FILE = "metadata.json";
  public static final String ALIASES_FILE = "aliases.json";
  public static final String HISTORY_FILE = "alias-history.jsonl";
  public static final String CLAIM_FILE = "claim.json";
  public static final String LOCK_FILE = "registry.lock";

  /** How long an alias move waits for another writer's lock before giving up. */
  static final long LOCK_WAIT_MILLIS = 30_000;

  private static final int MAX_CLAIM_ATTEMPTS = 1000;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper JSON_LINE = new ObjectMapper();

  private final String root;

  /** What stamps versions' creation and alias moves (the system clock unless a test says). */
  private final Clock clock;

  /**
   * Chosen from the root's scheme when first used (and again after deserialisation), unless given.
   */
  private transient @Nullable RegistryStorage storage;

  private ModelRegistry(String root, @Nullable RegistryStorage storage, Clock clock) {
    this.root = root;
    this.storage = storage;
    this.clock = clock;
  }

  public static ModelRegistry at(String root) {
    return at(root, null);
  }

  /**
   * A registry on a given store (a fake one in tests); null picks the store by the root's scheme.
   */
  public static ModelRegistry at(String root, @Nullable RegistryStorage storage) {
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException(
          "--registry is required: a directory (local or any Beam file system)");
    }
    return new ModelRegistry(root, storage, Clock.systemUTC());
  }

  /**
   * The same registry stamping times from {@code clock} (serialisable, as the JDK's clocks are).
   */
  public ModelRegistry withClock(Clock clock) {
    return new ModelRegistry(root, storage, Objects.requireNonNull(clock, "clock"));
  }

  private RegistryStorage storage() {
    RegistryStorage s = storage;
    if (s == null) {
      s = RegistryStorage.forRoot(root);
      storage = s;
    }
    return s;
  }

  /** True when version claims and the alias lock are atomic here (local files, gs://). */
  public boolean atomicWrites() {
    return storage().atomicCreate();
  }

  public String root() {
    return root;
  }

  public String versionDir(String name, String version) {
    return RegistryFiles.join(root, name, "versions", version);
  }

  /** Version ids of a model, oldest first. */
  public List<String> versions(String name) {
    try {
      List<String> versions = new ArrayList<>();
      for (String path :
          storage().list(RegistryFiles.join(root, name, "versions", "*", METADATA_FILE))) {
        versions.add(versionOf(path));
      }
      versions.sort(Comparator.comparingLong(ModelRegistry::versionNumber));
      return versions;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list versions of " + name + " in " + root, e);
    }
  }

  public ModelMetadata metadata(String name, String version) {
    String path = RegistryFiles.join(versionDir(name, version), METADATA_FILE);
    try {
      RegistryStorage.Versioned stored = storage().read(path);
      if (stored == null) {
        throw new IllegalArgumentException(
            "no version "
                + version
                + " of model "
                + name
                + " in "
                + root
                + " (known: "
                + versions(name)
                + ")");
      }
      return JSON.readValue(stored.bytes(), ModelMetadata.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  public Map<String, String> aliases(String name) {
    try {
      return aliasesIn(storage().read(RegistryFiles.join(root, name, ALIASES_FILE)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read aliases of " + name, e);
    }
  }

  private static Map<String, String> aliasesIn(RegistryStorage.@Nullable Versioned stored)
      throws IOException {
    if (stored == null) {
      return new TreeMap<>();
    }
    return new TreeMap<>(
        JSON.readValue(stored.bytes(), new TypeReference<Map<String, String>>() {}));
  }

  /** The version a reference points at now; an unknown alias or version is a clear error. */
  public String resolve(ModelRef ref) {
    if (!ref.isAlias()) {
      metadata(ref.name(), ref.version());
      return ref.version();
    }
    String version = aliases(ref.name()).get(ref.alias());
    if (version == null) {
      throw new IllegalArgumentException(
          "model "
              + ref.name()
              + " has no alias "
              + ref.alias()
              + " in "
              + root
              + " (aliases: "
              + aliases(ref.name())
              + ")");
    }
    return version;
  }

  /** Reads a version's model bytes and refuses them unless they hash to the recorded SHA-256. */
  public byte[] readVerifiedModel(ModelMetadata metadata) {
    String path =
        RegistryFiles.join(versionDir(metadata.name, metadata.version), metadata.modelFile);
    byte[] bytes = readFile(path, "model file " + path);
    String actual = RegistryFiles.sha256Hex(bytes);
    if (!actual.equalsIgnoreCase(metadata.sha256)) {
      throw new ModelIntegrityException(
          "model file "
              + path
              + " does not match its registered SHA-256 (expected "
              + metadata.sha256
              + ", found "
              + actual
              + "): refusing to load a tampered or corrupt model");
    }
    return bytes;
  }

  public byte[] readAttachment(String name, String version, String file) {
    return readFile(
        RegistryFiles.join(versionDir(name, version), file), file + " of " + name + ":" + version);
  }

  private byte[] readFile(String path, String what) {
    try {
      RegistryStorage.Versioned stored = storage().read(path);
      if (stored == null) {
        throw new FileNotFoundException(path);
      }
      return stored.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + what, e);
    }
  }

  public List<AliasChange> aliasHistory(String name) {
    try {
      RegistryStorage.Versioned stored =
          storage().read(RegistryFiles.join(root, name, HISTORY_FILE));
      List<AliasChange> history = new ArrayList<>();
      if (stored != null) {
        for (String line : new String(stored.bytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank()) {
            history.add(JSON_LINE.readValue(line, AliasChange.class));
          }
        }
      }
      return history;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read alias history of " + name, e);
    }
  }

  /** The version an alias pointed at at a given instant, from the history; null if none. */
  public String versionAt(String name, String alias, Instant when) {
    String version = null;
    for (AliasChange change : aliasHistory(name)) {
      if (alias.equals(change.alias) && !Instant.parse(change.time).isAfter(when)) {
        version = change.toVersion;
      }
    }
    return version;
  }

  /**
   * Stores a new immutable version: model bytes, attachments and metadata (written last, so a
   * version without metadata.json is an incomplete write and invisible). Fills in name, version,
   * modelFile, sha256 and createdAt; returns the completed metadata.
   */
  public ModelMetadata register(
      String name,
      byte[] modelBytes,
      String modelFormat,
      ModelMetadata template,
      Map<String, byte[]> attachments) {
    return register(name, modelBytes, modelFormat, template, m -> attachments);
  }

  /**
   * As above, with attachments made once the version number is taken, so a model card can name the
   * version it describes even when other writers register at the same time.
   */
  public ModelMetadata register(
      String name,
      byte[] modelBytes,
      String modelFormat,
      ModelMetadata template,
      Function<ModelMetadata, Map<String, byte[]>> attachmentsFor) {
    ModelRef.version(name, "1");
    if (!"json".equals(modelFormat) && !"ubj".equals(modelFormat)) {
      throw new IllegalArgumentException("model format must be json or ubj, got " + modelFormat);
    }
    template.name = name;
    template.modelFormat = modelFormat;
    template.modelFile = "model." + modelFormat;
    template.sha256 = RegistryFiles.sha256Hex(modelBytes);
    if (template.createdAt == null) {
      template.createdAt = clock.instant().toString();
    }
    String version = claimNextVersion(name, template.createdAt);
    template.version = version;
    String dir = versionDir(name, version);
    try {
      Map<String, byte[]> attachments = new TreeMap<>(attachmentsFor.apply(template));
      template.attachments = new ArrayList<>(attachments.keySet());
      RegistryStorage store = storage();
      store.write(RegistryFiles.join(dir, template.modelFile), modelBytes);
      for (Map.Entry<String, byte[]> a : attachments.entrySet()) {
        store.write(RegistryFiles.join(dir, a.getKey()), a.getValue());
      }
      if (store
          .writeIfGeneration(
              RegistryFiles.join(dir, METADATA_FILE),
              JSON.writeValueAsBytes(template),
              RegistryStorage.ABSENT)
          .isEmpty()) {
        throw new IllegalStateException(
            "version " + version + " of " + name + " already exists: versions are immutable");
      }
      return template;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot register " + name + ":" + version + " in " + root, e);
    }
  }

  /**
   * Takes the lowest free number above every claimed or complete version by creating its claim file
   * if absent; a number another writer took first is skipped. A claim whose writer died before
   * metadata.json stays as a gap: numbers are never reused.
   */
  private String claimNextVersion(String name, String createdAt) {
    try {
      long next = highestTaken(name) + 1;
      // The nonce makes each claim's bytes unique, so a store can tell its own retried write from a
      // rival's.
      byte[] claim =
          JSON_LINE.writeValueAsBytes(
              Map.of(
                  "createdAt",
                  createdAt,
                  "writer",
                  Writers.id(),
                  "nonce",
                  UUID.randomUUID().toString()));
      RegistryStorage store = storage();
      for (int attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++, next++) {
        String version = Long.toString(next);
        if (store
                .writeIfGeneration(
                    RegistryFiles.join(versionDir(name, version), CLAIM_FILE),
                    claim,
                    RegistryStorage.ABSENT)
                .isPresent()
            && store.read(RegistryFiles.join(versionDir(name, version), METADATA_FILE)) == null) {
          return version;
        }
      }
      throw new IllegalStateException(
          "cannot take a version number for "
              + name
              + " in "
              + root
              + " after "
              + MAX_CLAIM_ATTEMPTS
              + " attempts");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot take a version number for " + name + " in " + root, e);
    }
  }

  private long highestTaken(String name) throws IOException {
    long highest = 0;
    for (String file : List.of(CLAIM_FILE, METADATA_FILE)) {
      for (String path : storage().list(RegistryFiles.join(root, name, "versions", "*", file))) {
        long n = versionNumber(versionOf(path));
        if (n != Long.MAX_VALUE) {
          highest = Math.max(highest, n);
        }
      }
    }
    return highest;
  }

  /** Points an alias at a version, wherever it points now, and appends the move to the history. */
  public AliasChange moveAlias(
      String name, String alias, String version, boolean forced, String reason) {
    return move(name, alias, null, false, version, forced, reason);
  }

  /**
   * Compare-and-set: points the alias at {@code version} only if it still points at {@code
   * expected} (null: the alias does not exist yet), as the caller saw it when it decided.
   *
   * @throws AliasConflictException if another writer moved the alias meanwhile; nothing is written
   */
  public AliasChange moveAliasIfAt(
      String name,
      String alias,
      @Nullable String expected,
      String version,
      boolean forced,
      String reason) {
    return move(name, alias, expected, true, version, forced, reason);
  }

  /**
   * Records in the history that {@code candidate} was judged for the alias and refused, the alias
   * staying at {@code expected}; compare-and-set like a move, so a refusal judged against a holder
   * another writer has since replaced is not recorded.
   *
   * @throws AliasConflictException if the alias no longer points at {@code expected}
   */
  public AliasChange recordRefusal(
      String name, String alias, @Nullable String expected, String candidate, String reason) {
    return append(name, alias, expected, true, candidate, false, reason, true);
  }

  private AliasChange move(
      String name,
      String alias,
      @Nullable String expected,
      boolean compare,
      String version,
      boolean forced,
      String reason) {
    return append(name, alias, expected, compare, version, forced, reason, false);
  }

  private AliasChange append(
      String name,
      String alias,
      @Nullable String expected,
      boolean compare,
      String version,
      boolean forced,
      String reason,
      boolean refusal) {
    if (!alias.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("invalid alias name: " + alias);
    }
    metadata(name, version);
    RegistryStorage store = storage();
    String aliasesPath = RegistryFiles.join(root, name, ALIASES_FILE);
    String historyPath = RegistryFiles.join(root, name, HISTORY_FILE);
    try (RegistryLock lock =
        RegistryLock.acquire(store, RegistryFiles.join(root, name, LOCK_FILE), LOCK_WAIT_MILLIS)) {
      RegistryStorage.Versioned aliasesRead = store.read(aliasesPath);
      Map<String, String> aliases = aliasesIn(aliasesRead);
      String current = aliases.get(alias);
      if (compare && !Objects.equals(current, expected)) {
        throw new AliasConflictException(name, alias, expected, current, version);
      }
      AliasChange change = new AliasChange();
      change.time = clock.instant().toString();
      change.alias = alias;
      change.fromVersion = current;
      change.toVersion = refusal ? current : version;
      change.forced = forced;
      change.reason = reason;
      change.actor = System.getProperty("user.name");
      change.outcome = refusal ? AliasChange.REFUSED : AliasChange.MOVED;
      change.candidateVersion = version;
      if (!refusal) {
        aliases.put(alias, version);
      }
      // History first: a crash between the two writes leaves a recorded move, never an unrecorded
      // one.
      RegistryStorage.Versioned previous = store.read(historyPath);
      ByteArrayOutputStream appended = new ByteArrayOutputStream();
      if (previous != null) {
        appended.write(previous.bytes());
      }
      appended.write(
          (JSON_LINE.writeValueAsString(change) + "\n").getBytes(StandardCharsets.UTF_8));
      // Both at the generations read under the lock: a writer that ignored the lock (or one whose
      // lock was deleted by hand) cannot have its move overwritten unseen.
      if (store
              .writeIfGeneration(historyPath, appended.toByteArray(), generationOf(previous))
              .isEmpty()
          || (!refusal
              && store
                  .writeIfGeneration(
                      aliasesPath, JSON.writeValueAsBytes(aliases), generationOf(aliasesRead))
                  .isEmpty())) {
        throw new IllegalStateException(
            "the aliases of "
                + name
                + " in "
                + root
                + " changed while this writer held "
                + LOCK_FILE
                + ": was the lock deleted while another writer ran? Check "
                + HISTORY_FILE
                + " against "
                + ALIASES_FILE);
      }
      return change;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move alias " + alias + " of " + name, e);
    }
  }

  private static long generationOf(RegistryStorage.@Nullable Versioned stored) {
    return stored == null ? RegistryStorage.ABSENT : stored.generation();
  }

  /** The version directory's name in a path ROOT/NAME/versions/VERSION/FILE. */
  private static String versionOf(String path) {
    String[] parts = path.replace('\\', '/').split("/");
    return parts[parts.length - 2];
  }

  private static long versionNumber(String version) {
    try {
      return Long.parseLong(version);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
