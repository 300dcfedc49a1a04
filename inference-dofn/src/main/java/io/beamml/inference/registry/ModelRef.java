package io.beamml.inference.registry;

import java.io.Serializable;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A reference to a model in the registry: {@code name@alias} follows an alias (it can move while a
 * job runs), {@code name:version} pins one immutable version.
 */
public final class ModelRef implements Serializable {

  private final String name;
  private final @Nullable String alias;
  private final @Nullable String version;

  private ModelRef(String name, @Nullable String alias, @Nullable String version) {
    this.name = name;
    this.alias = alias;
    this.version = version;
  }

  public static ModelRef parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "a model reference is NAME@ALIAS or NAME:VERSION, got nothing");
    }
    int at = text.indexOf('@');
    int colon = text.indexOf(':');
    if (at > 0 && colon < 0 && at < text.length() - 1) {
      return new ModelRef(checkName(text.substring(0, at), text), text.substring(at + 1), null);
    }
    if (colon > 0 && at < 0 && colon < text.length() - 1) {
      return new ModelRef(
          checkName(text.substring(0, colon), text), null, text.substring(colon + 1));
    }
    throw new IllegalArgumentException(
        "a model reference is NAME@ALIAS or NAME:VERSION (e.g. promo@champion, promo:3), got: "
            + text);
  }

  public static ModelRef alias(String name, String alias) {
    return new ModelRef(checkName(name, name), alias, null);
  }

  public static ModelRef version(String name, String version) {
    return new ModelRef(checkName(name, name), null, version);
  }

  private static String checkName(String name, String text) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException(
          "invalid model name in " + text + ": letters, digits, . _ - only");
    }
    return name;
  }

  public String name() {
    return name;
  }

  public @Nullable String alias() {
    return alias;
  }

  public @Nullable String version() {
    return version;
  }

  public boolean isAlias() {
    return alias != null;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof ModelRef)) {
      return false;
    }
    ModelRef r = (ModelRef) o;
    return name.equals(r.name)
        && Objects.equals(alias, r.alias)
        && Objects.equals(version, r.version);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, alias, version);
  }

  @Override
  public String toString() {
    return alias != null ? name + "@" + alias : name + ":" + version;
  }
}
