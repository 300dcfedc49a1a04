package io.beamml.inference.registry;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One writer process for {@link ConcurrentRegistryTest}: registers versions whose attachment names
 * the version the registry gave it, and tries compare-and-set moves of an alias; prints one line
 * per outcome so the test can count wins across processes.
 */
public final class ConcurrentWriters {

  private ConcurrentWriters() {}

  /** Args: registry root, model name, writer label, versions to register. */
  public static void main(String[] args) {
    ModelRegistry registry = ModelRegistry.at(args[0]);
    String name = args[1];
    String writer = args[2];
    int count = Integer.parseInt(args[3]);
    for (int i = 0; i < count; i++) {
      ModelMetadata m = registerNamingItsVersion(registry, name, writer + "-" + i);
      System.out.println("registered " + m.version);
      try {
        // Every writer aims at the alias as it saw it: the loser of each round must be refused.
        String seen = registry.aliases(name).get("champion");
        registry.moveAliasIfAt(name, "champion", seen, m.version, false, writer);
        System.out.println("moved " + seen + " " + m.version);
      } catch (AliasConflictException e) {
        System.out.println("refused " + e.expected() + " " + e.actual());
      }
    }
  }

  static ModelMetadata registerNamingItsVersion(
      ModelRegistry registry, String name, String writer) {
    ModelMetadata template = new ModelMetadata();
    template.featureNames = List.of("a");
    template.origin = "trained";
    return registry.register(
        name,
        ("model of " + writer).getBytes(StandardCharsets.UTF_8),
        "json",
        template,
        m ->
            Map.of(
                "card.txt",
                ("card of " + m.name + ":" + m.version + " by " + writer)
                    .getBytes(StandardCharsets.UTF_8)));
  }
}
