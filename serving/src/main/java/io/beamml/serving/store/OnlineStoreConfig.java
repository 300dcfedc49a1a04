package io.beamml.serving.store;

import io.beamml.transforms.features.FeatureCalculator;
import io.beamml.transforms.features.FeatureSpec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Where the online store lives and how it is laid out: the Redis URI, the key prefix, how much
 * event history a customer keeps (the spec's longest window) and for how long an idle customer's
 * keys live (that window plus a margin). Writers (the stream, {@code materialize}) and the server
 * share it, so both sides agree on every key.
 *
 * <p>Per pseudonymised customer key {@code K} there are two keys, both under the hash tag {@code
 * {K}} so a Redis Cluster keeps them on one slot: {@code PREFIX{K}:events}, a sorted set of the
 * customer's events (Avro binary of {@code CustomerEvent}, scored by event time), and {@code
 * PREFIX{K}:customer}, a hash with the profile (Avro binary of {@code CustomerProfile}) and the
 * fingerprint of the spec the history was kept for.
 */
public record OnlineStoreConfig(
    String uri, String prefix, long maxWindowMillis, String specFingerprint, long ttlSeconds)
    implements Serializable {

  public static final String DEFAULT_PREFIX = "beamml:";
  public static final Duration DEFAULT_TTL_MARGIN = Duration.ofDays(1);

  static final String PROFILE_FIELD = "profile";
  static final String SPEC_FIELD = "spec";

  public OnlineStoreConfig {
    if (uri == null || !(uri.startsWith("redis://") || uri.startsWith("rediss://"))) {
      throw new IllegalArgumentException(
          "the online store must be a redis:// or rediss:// URI, got " + uri);
    }
    if (maxWindowMillis <= 0) {
      throw new IllegalArgumentException(
          "the feature spec has no event window, so there is no history to keep");
    }
    if (ttlSeconds * 1000 < maxWindowMillis) {
      throw new IllegalArgumentException(
          "the TTL ("
              + ttlSeconds
              + " s) must cover the longest window ("
              + maxWindowMillis
              + " ms)");
    }
  }

  /**
   * The layout for {@code spec}: history of its longest window, TTL that window plus {@code
   * margin}.
   */
  public static OnlineStoreConfig forSpec(String uri, FeatureSpec spec, Duration margin) {
    long window = FeatureCalculator.of(spec).maxWindowMillis();
    return new OnlineStoreConfig(
        uri,
        DEFAULT_PREFIX,
        window,
        spec.fingerprint(),
        Duration.ofMillis(window).plus(margin).toSeconds());
  }

  public OnlineStoreConfig withPrefix(String newPrefix) {
    return new OnlineStoreConfig(uri, newPrefix, maxWindowMillis, specFingerprint, ttlSeconds);
  }

  public OnlineStoreConfig withUri(String newUri) {
    return new OnlineStoreConfig(newUri, prefix, maxWindowMillis, specFingerprint, ttlSeconds);
  }

  /** The sorted set of a customer's events. */
  public byte[] eventsKey(String customerKey) {
    return (prefix + "{" + customerKey + "}:events").getBytes(StandardCharsets.UTF_8);
  }

  /** The hash of a customer's profile and spec fingerprint. */
  public byte[] customerKey(String customerKey) {
    return (prefix + "{" + customerKey + "}:customer").getBytes(StandardCharsets.UTF_8);
  }
}
