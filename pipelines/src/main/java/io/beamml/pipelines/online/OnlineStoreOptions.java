package io.beamml.pipelines.online;

import io.beamml.serving.store.OnlineStoreConfig;
import io.beamml.transforms.features.FeatureSpec;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Flags of the online feature store, shared by {@code stream}, {@code materialize} and {@code
 * serve}.
 */
public interface OnlineStoreOptions extends PipelineOptions {

  @Description(
      "Redis online feature store, e.g. redis://127.0.0.1:6379 (rediss:// for TLS); empty = none")
  @Default.String("")
  String getOnlineStore();

  void setOnlineStore(String value);

  @Description("Prefix of every online-store key")
  @Default.String(OnlineStoreConfig.DEFAULT_PREFIX)
  String getOnlineStorePrefix();

  void setOnlineStorePrefix(String value);

  @Description(
      "An idle customer's keys live for the spec's longest window plus this, as an ISO-8601 duration")
  @Default.String("P1D")
  String getOnlineStoreTtlMargin();

  void setOnlineStoreTtlMargin(String value);

  /** The store layout for {@code spec}, or null when {@code --onlineStore} is blank. */
  static @Nullable OnlineStoreConfig configFor(OnlineStoreOptions options, FeatureSpec spec) {
    String uri = options.getOnlineStore();
    if (uri == null || uri.isBlank()) {
      return null;
    }
    java.time.Duration margin;
    try {
      margin = java.time.Duration.parse(options.getOnlineStoreTtlMargin());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--onlineStoreTtlMargin must be an ISO-8601 duration such as P1D, got '"
              + options.getOnlineStoreTtlMargin()
              + "'");
    }
    return OnlineStoreConfig.forSpec(uri, spec, margin).withPrefix(options.getOnlineStorePrefix());
  }
}
