package io.beamml.inference.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
 * Writers are expected to be one at a time per model name: object stores have no atomic
 * create-if-absent, so two concurrent registrations could race for a version number.
 */
public final class ModelRegistry implements Serializable {

  public static final String METADATA_FILE = "metadata.json";
  public static final String ALIASES_FILE = "aliases.json";
  public static final String HISTORY_FILE = "alias-history.jsonl";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper JSON_LINE = new ObjectMapper();

  private final String root;

  private ModelRegistry(String root) {
    this.root = root;
  }

  public static ModelRegistry at(String root) {
    if (root == null || root.isBlank()) {
      throw new IllegalArgumentException("--registry is required: a directory (local or any Beam file system)");
    }
    return new ModelRegistry(root);
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
      for (String path : RegistryFiles.list(RegistryFiles.join(root, name, "versions", "*", METADATA_FILE))) {
        String[] parts = path.replace('\\', '/').split("/");
        versions.add(parts[parts.length - 2]);
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
      byte[] bytes = RegistryFiles.readIfExists(path);
      if (bytes == null) {
        throw new IllegalArgumentException(
            "no version " + version + " of model " + name + " in " + root + " (known: " + versions(name) + ")");
      }
      return JSON.readValue(bytes, ModelMetadata.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  public Map<String, String> aliases(String name) {
    try {
      byte[] bytes = RegistryFiles.readIfExists(RegistryFiles.join(root, name, ALIASES_FILE));
      if (bytes == null) {
        return new TreeMap<>();
      }
      return new TreeMap<>(JSON.readValue(bytes, new TypeReference<Map<String, String>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read aliases of " + name, e);
    }
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
          "model " + ref.name() + " has no alias " + ref.alias() + " in " + root
              + " (aliases: " + aliases(ref.name()) + ")");
    }
    return version;
  }

  /** Reads a version's model bytes and refuses them unless they hash to the recorded SHA-256. */
  public byte[] readVerifiedModel(ModelMetadata metadata) {
    String path = RegistryFiles.join(versionDir(metadata.name, metadata.version), metadata.modelFile);
    byte[] bytes;
    try {
      bytes = RegistryFiles.read(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model file " + path, e);
    }
    String actual = RegistryFiles.sha256Hex(bytes);
    if (!actual.equalsIgnoreCase(metadata.sha256)) {
      throw new ModelIntegrityException(
          "model file " + path + " does not match its registered SHA-256 (expected "
              + metadata.sha256 + ", found " + actual + "): refusing to load a tampered or corrupt model");
    }
    return bytes;
  }

  public byte[] readAttachment(String name, String version, String file) {
    try {
      return RegistryFiles.read(RegistryFiles.join(versionDir(name, version), file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " of " + name + ":" + version, e);
    }
  }

  public List<AliasChange> aliasHistory(String name) {
    try {
      byte[] bytes = RegistryFiles.readIfExists(RegistryFiles.join(root, name, HISTORY_FILE));
      List<AliasChange> history = new ArrayList<>();
      if (bytes != null) {
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
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
      String name, byte[] modelBytes, String modelFormat, ModelMetadata template, Map<String, byte[]> attachments) {
    ModelRef.version(name, "1");
    if (!"json".equals(modelFormat) && !"ubj".equals(modelFormat)) {
      throw new IllegalArgumentException("model format must be json or ubj, got " + modelFormat);
    }
    List<String> existing = versions(name);
    long next = existing.isEmpty() ? 1 : versionNumber(existing.get(existing.size() - 1)) + 1;
    String version = Long.toString(next);
    String dir = versionDir(name, version);
    try {
      if (RegistryFiles.exists(RegistryFiles.join(dir, METADATA_FILE))) {
        throw new IllegalStateException("version " + version + " of " + name + " already exists: versions are immutable");
      }
      template.name = name;
      template.version = version;
      template.modelFormat = modelFormat;
      template.modelFile = "model." + modelFormat;
      template.sha256 = RegistryFiles.sha256Hex(modelBytes);
      if (template.createdAt == null) {
        template.createdAt = Instant.now().toString();
      }
      template.attachments = new ArrayList<>(new TreeMap<>(attachments).keySet());
      RegistryFiles.write(RegistryFiles.join(dir, template.modelFile), modelBytes);
      for (Map.Entry<String, byte[]> a : attachments.entrySet()) {
        RegistryFiles.write(RegistryFiles.join(dir, a.getKey()), a.getValue());
      }
      RegistryFiles.write(RegistryFiles.join(dir, METADATA_FILE), JSON.writeValueAsBytes(template));
      return template;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot register " + name + ":" + version + " in " + root, e);
    }
  }

  /** Points an alias at a version and appends the move to the history. */
  public AliasChange moveAlias(String name, String alias, String version, boolean forced, String reason) {
    if (!alias.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("invalid alias name: " + alias);
    }
    metadata(name, version);
    Map<String, String> aliases = aliases(name);
    AliasChange change = new AliasChange();
    change.time = Instant.now().toString();
    change.alias = alias;
    change.fromVersion = aliases.get(alias);
    change.toVersion = version;
    change.forced = forced;
    change.reason = reason;
    change.actor = System.getProperty("user.name");
    aliases.put(alias, version);
    try {
      // History first: a crash between the two writes leaves a recorded move, never an unrecorded one.
      byte[] previous = RegistryFiles.readIfExists(RegistryFiles.join(root, name, HISTORY_FILE));
      ByteArrayOutputStream appended = new ByteArrayOutputStream();
      if (previous != null) {
        appended.write(previous);
      }
      appended.write((JSON_LINE.writeValueAsString(change) + "\n").getBytes(StandardCharsets.UTF_8));
      RegistryFiles.write(RegistryFiles.join(root, name, HISTORY_FILE), appended.toByteArray());
      RegistryFiles.write(RegistryFiles.join(root, name, ALIASES_FILE), JSON.writeValueAsBytes(aliases));
      return change;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move alias " + alias + " of " + name, e);
    }
  }

  private static long versionNumber(String version) {
    try {
      return Long.parseLong(version);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
