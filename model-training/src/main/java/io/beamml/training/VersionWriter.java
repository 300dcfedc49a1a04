package io.beamml.training;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.registry.RegistryFiles;
import io.beamml.training.card.ModelCard;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Registers a model with its card. The card names the version, which the registry allocates
 * only when writing, so the writer predicts it the way the registry does and checks afterwards
 * that no other writer took it (the registry expects one writer per model name at a time).
 */
final class VersionWriter {

  private VersionWriter() {}

  static ModelMetadata register(
      ModelRegistry registry, String name, byte[] modelBytes, String format, ModelMetadata template, Function<ModelMetadata, ModelCard> card) {
    return register(registry, name, modelBytes, format, template, card, Map.of());
  }

  /** As above, storing {@code extra} attachments (e.g. the drift reference) beside the card's files. */
  static ModelMetadata register(
      ModelRegistry registry, String name, byte[] modelBytes, String format, ModelMetadata template,
      Function<ModelMetadata, ModelCard> card, Map<String, byte[]> extra) {
    String expected = nextVersion(registry.versions(name));
    template.name = name;
    template.version = expected;
    template.modelFormat = format;
    template.modelFile = "model." + format;
    template.sha256 = RegistryFiles.sha256Hex(modelBytes);
    if (template.createdAt == null) {
      template.createdAt = Instant.now().toString();
    }
    Map<String, byte[]> attachments = new LinkedHashMap<>(card.apply(template).render());
    attachments.putAll(extra);
    ModelMetadata registered = registry.register(name, modelBytes, format, template, attachments);
    if (!expected.equals(registered.version)) {
      throw new IllegalStateException(
          "another writer registered " + name + ":" + expected + " meanwhile; this model became version "
              + registered.version + " but its model card names " + expected);
    }
    return registered;
  }

  private static String nextVersion(List<String> versions) {
    if (versions.isEmpty()) {
      return "1";
    }
    return Long.toString(Long.parseLong(versions.get(versions.size() - 1)) + 1);
  }
}
