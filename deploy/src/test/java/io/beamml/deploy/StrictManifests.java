package io.beamml.deploy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;

/**
 * Reads Kubernetes manifests into Kubernetes' and the Flink operator's own model classes, and
 * refuses any field those classes do not have. Fabric8's classes keep unknown fields in an
 * "additional properties" map (so a typo such as {@code readinesProbe} would pass silently, as it
 * does for {@code kubectl apply} without server-side validation), and the operator's specs ignore
 * unknown fields; here both are switched off, so an unknown field anywhere in a manifest fails with
 * its path.
 */
final class StrictManifests {

  /** The kinds ops/k8s may hold, by apiVersion and kind. */
  private static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "apps/v1 Deployment", Deployment.class,
          "apps/v1 StatefulSet", StatefulSet.class,
          "v1 Service", Service.class,
          "batch/v1 CronJob", CronJob.class,
          "flink.apache.org/v1beta1 FlinkDeployment", FlinkDeployment.class);

  private static final ObjectMapper YAML = strictMapper();

  private StrictManifests() {}

  /** Every document of a (multi-document) manifest file, typed. */
  static List<HasMetadata> read(Path file) {
    try {
      return parse(Files.readString(file), file.getFileName().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of a YAML text, typed; {@code source} names it in errors. */
  static List<HasMetadata> parse(String yaml, String source) {
    List<HasMetadata> resources = new ArrayList<>();
    try {
      for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        String key = doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(key);
        if (type == null) {
          throw new IllegalArgumentException(
              source + ": unexpected kind '" + key + "'; known: " + KINDS.keySet());
        }
        resources.add(YAML.treeToValue(doc, type));
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    return resources;
  }

  /** Plain YAML, untyped (for files such as kustomization.yaml that no model class covers). */
  static JsonNode tree(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectMapper strictMapper() {
    SimpleModule noAnySetter = new SimpleModule("no-additional-properties");
    noAnySetter.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public BeanDeserializerBuilder updateBuilder(
              DeserializationConfig config,
              BeanDescription description,
              BeanDeserializerBuilder builder) {
            builder.setAnySetter(null);
            builder.setIgnoreUnknownProperties(false);
            return builder;
          }
        });
    return new ObjectMapper(new YAMLFactory())
        .registerModule(noAnySetter)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
  }
}
