package io.beamml.inference;

import java.io.Serializable;

/**
 * One immutable model version in one registry: the identity under which a model is loaded once per
 * JVM. Versions never change once written, so the key never goes stale.
 */
public record ModelKey(String registryRoot, String name, String version) implements Serializable {

  public ModelKey {
    if (registryRoot == null || name == null || version == null) {
      throw new IllegalArgumentException("registry root, model name and version are all required");
    }
  }

  @Override
  public String toString() {
    return name + ":" + version + " in " + registryRoot;
  }
}
