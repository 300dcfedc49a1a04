package io.beamml.runners.serve;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's OpenTelemetry SDK, configured by the standard {@code OTEL_*} variables (or {@code
 * otel.*} system properties) through the SDK's autoconfiguration. Defaults that differ from the
 * SDK's: service name {@code beamml-serve}, OTLP over HTTP/protobuf (the JDK sender is bundled, not
 * gRPC), metrics and logs not exported (Prometheus has the metrics), and no trace export at all
 * unless an exporter or an OTLP endpoint is set, so a server without a collector does not log
 * failed exports.
 */
public final class ServingTelemetry {

  private ServingTelemetry() {}

  public static OpenTelemetrySdk fromEnvironment(Map<String, String> env) {
    Map<String, String> defaults = new HashMap<>();
    defaults.put("otel.service.name", "beamml-serve");
    defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
    defaults.put("otel.metrics.exporter", "none");
    defaults.put("otel.logs.exporter", "none");
    boolean configured =
        env.containsKey("OTEL_TRACES_EXPORTER")
            || env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT")
            || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            || System.getProperty("otel.traces.exporter") != null
            || System.getProperty("otel.exporter.otlp.endpoint") != null;
    if (!configured) {
      defaults.put("otel.traces.exporter", "none");
    }
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> defaults)
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
  }
}
