package io.beamml.transforms.features;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.io.FileSystems;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The feature definitions as data: a versioned list of named features. Its fingerprint travels with
 * every feature row, training example, model version and prediction, so that rows computed under
 * one definition are never scored by a model trained under another.
 */
public final class FeatureSpec implements Serializable {

  /** Classpath location of the spec the product ships with. */
  public static final String DEFAULT_RESOURCE =
      "/io/beamml/transforms/features/default-feature-spec.json";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  /** The spec's own JSON properties. */
  static final List<String> PROPERTIES = List.of("name", "version", "features");

  private final String name;
  private final int version;
  private final List<FeatureDefinition> features;
  private final String fingerprint;

  public FeatureSpec(
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty(value = "version", required = true) int version,
      @JsonProperty(value = "features", required = true) List<FeatureDefinition> features) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("feature spec needs a name");
    }
    if (features == null || features.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException("feature spec " + name + " needs a list of features");
    }
    this.name = name;
    this.version = version;
    this.features = List.copyOf(features);
    if (this.features.isEmpty()) {
      throw new IllegalArgumentException("feature spec " + name + " defines no features");
    }
    Set<String> seen = new HashSet<>();
    for (FeatureDefinition f : this.features) {
      if (!seen.add(f.name())) {
        throw new IllegalArgumentException(
            "feature spec " + name + " defines " + f.name() + " twice");
      }
    }
    this.fingerprint = computeFingerprint();
  }

  /** The spec shipped in this jar (the features named in the data contract). */
  public static FeatureSpec defaultSpec() {
    try (InputStream in = FeatureSpec.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
      }
      return parse(MAPPER.readTree(in));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot read the default feature spec: " + describe(e), e);
    }
  }

  /** Reads a spec from any Beam file system path (local, gs://, ...). */
  public static FeatureSpec load(String path) {
    try (InputStream in =
        Channels.newInputStream(
            FileSystems.open(FileSystems.matchSingleFileSpec(path).resourceId()))) {
      return parse(MAPPER.readTree(in));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot read feature spec " + path + ": " + describe(e), e);
    }
  }

  /** The default spec when path is null or empty, otherwise the spec at path. */
  public static FeatureSpec loadOrDefault(String path) {
    return path == null || path.isEmpty() ? defaultSpec() : load(path);
  }

  public static FeatureSpec fromJson(String json) {
    try {
      return parse(MAPPER.readTree(json));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid feature spec: " + describe(e), e);
    }
  }

  /**
   * Binds a parsed spec. Property names are checked first: Jackson would otherwise construct (and
   * validate) a definition before reporting a misspelt key, blaming the wrong thing.
   */
  private static FeatureSpec parse(@Nullable JsonNode tree) throws IOException {
    if (tree == null || !tree.isObject()) {
      throw new IllegalArgumentException("a feature spec must be a JSON object");
    }
    checkProperties(tree, PROPERTIES, "the feature spec");
    JsonNode features = tree.get("features");
    if (features != null && features.isArray()) {
      for (int i = 0; i < features.size(); i++) {
        JsonNode feature = features.get(i);
        if (feature.isObject()) {
          String name = feature.path("name").asText("#" + i);
          checkProperties(feature, FeatureDefinition.PROPERTIES, "feature " + name);
        }
      }
    }
    return MAPPER.treeToValue(tree, FeatureSpec.class);
  }

  private static void checkProperties(JsonNode node, List<String> known, String what) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new IllegalArgumentException(
            what + " has an unknown property " + name + "; known properties are " + known);
      }
    }
  }

  /** The reason without Jackson's class names: our own message, or Jackson's with its path. */
  private static String describe(Exception e) {
    Throwable cause = e.getCause();
    if (e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    if (e instanceof JsonProcessingException && cause instanceof IllegalArgumentException) {
      return cause.getMessage();
    }
    if (e instanceof JsonMappingException) {
      JsonMappingException m = (JsonMappingException) e;
      StringBuilder path = new StringBuilder();
      for (JsonMappingException.Reference ref : m.getPath()) {
        if (ref.getFieldName() != null) {
          path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
        } else if (ref.getIndex() >= 0) {
          path.append('[').append(ref.getIndex()).append(']');
        }
      }
      return (path.length() == 0 ? "" : "at " + path + ": ") + m.getOriginalMessage();
    }
    if (e instanceof JsonProcessingException) {
      JsonProcessingException p = (JsonProcessingException) e;
      JsonLocation at = p.getLocation();
      return p.getOriginalMessage()
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }
    return e.getMessage();
  }

  /** Canonical JSON: sorted keys, no whitespace; the input to the fingerprint. */
  public String toCanonicalJson() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @JsonProperty("name")
  public String name() {
    return name;
  }

  @JsonProperty("version")
  public int version() {
    return version;
  }

  @JsonProperty("features")
  public List<FeatureDefinition> features() {
    return features;
  }

  /** Feature names in spec order: the column order of every vector built from this spec. */
  public List<String> featureNames() {
    List<String> names = new ArrayList<>(features.size());
    for (FeatureDefinition f : features) {
      names.add(f.name());
    }
    return names;
  }

  /** First 16 hex digits of the SHA-256 of the canonical JSON; independent of formatting. */
  public String fingerprint() {
    return fingerprint;
  }

  private String computeFingerprint() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(toCanonicalJson().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureSpec && ((FeatureSpec) o).fingerprint.equals(fingerprint);
  }

  @Override
  public int hashCode() {
    return fingerprint.hashCode();
  }

  @Override
  public String toString() {
    return name + " v" + version + " (" + fingerprint + ")";
  }
}
