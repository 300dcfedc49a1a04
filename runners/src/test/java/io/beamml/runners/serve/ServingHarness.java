package io.beamml.runners.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * A served stack for tests: flags, an in-memory span exporter, and an HTTP client speaking JSON.
 */
final class ServingHarness {

  static final HmacKey KEY =
      HmacKey.ofBytes("serving-test-key-0123456789".getBytes(StandardCharsets.UTF_8));
  static final ObjectMapper JSON = new ObjectMapper();

  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final OpenTelemetrySdk telemetry =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .build();
  final HttpClient http = HttpClient.newHttpClient();

  static ServeOptions options(String... flags) {
    List<String> args = new ArrayList<>(List.of("--port=0"));
    args.addAll(List.of(flags));
    PipelineOptionsFactory.register(ServeOptions.class);
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .withValidation()
        .as(ServeOptions.class);
  }

  /**
   * The {@code features} of a {@code /v1/score} answer as the model's columns: numbers as they are,
   * categories as their index in the spec, null as NaN (what the vectorizer makes of a feature
   * row).
   */
  static float[] servedColumns(JsonNode answer, io.beamml.transforms.features.FeatureSpec spec) {
    List<String> names = spec.featureNames();
    float[] out = new float[names.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = answer.get("features").get(names.get(i));
      if (v.isNull()) {
        out[i] = Float.NaN;
      } else if (v.isTextual()) {
        int code = spec.features().get(i).categories().indexOf(v.asText());
        out[i] = code < 0 ? Float.NaN : code;
      } else {
        out[i] = (float) v.asDouble();
      }
    }
    return out;
  }

  /** A response: status and parsed JSON body (null when the body is not JSON). */
  record Reply(int status, String text, JsonNode json) {}

  Reply get(String url) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
  }

  Reply post(String url, String body) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  Reply send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = JSON.readTree(response.body());
    } catch (IOException notJson) {
      json = null;
    }
    return new Reply(response.statusCode(), response.body(), json);
  }
}
