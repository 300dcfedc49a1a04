package io.beamml.training;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.card.ModelCard;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Registers a model with its card. The card names the version, so it is rendered only after the
 * registry has taken the number: concurrent writers each get their own version and a card that
 * names it.
 */
final class VersionWriter {

  private VersionWriter() {}

  static ModelMetadata register(
      ModelRegistry registry,
      String name,
      byte[] modelBytes,
      String format,
      ModelMetadata template,
      Function<ModelMetadata, ModelCard> card) {
    return register(registry, name, modelBytes, format, template, card, Map.of());
  }

  /**
   * As above, storing {@code extra} attachments (e.g. the drift reference) beside the card's files.
   */
  static ModelMetadata register(
      ModelRegistry registry,
      String name,
      byte[] modelBytes,
      String format,
      ModelMetadata template,
      Function<ModelMetadata, ModelCard> card,
      Map<String, byte[]> extra) {
    return registry.register(
        name,
        modelBytes,
        format,
        template,
        m -> {
          Map<String, byte[]> attachments = new LinkedHashMap<>(card.apply(m).render());
          attachments.putAll(extra);
          return attachments;
        });
  }
}
