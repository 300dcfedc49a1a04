package io.beamml.transforms.pseudonymise;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Turns a customer id into its pseudonym: the lowercase hex HMAC-SHA256 of the id's UTF-8 bytes (64
 * characters). Deterministic for a given key, so the same customer gets the same key across sources
 * and runs.
 *
 * <p>Not thread-safe: it reuses one {@link Mac}, which is not thread-safe either. Give each DoFn
 * instance its own, made in {@code @Setup}.
 */
public final class Pseudonymiser implements Serializable {

  private static final long serialVersionUID = 1L;

  private final HmacKey key;
  private transient @Nullable Mac mac;

  public Pseudonymiser(HmacKey key) {
    this.key = Objects.requireNonNull(key, "key");
  }

  public String pseudonym(String customerId) {
    Objects.requireNonNull(customerId, "customerId");
    return HexFormat.of().formatHex(mac().doFinal(customerId.getBytes(StandardCharsets.UTF_8)));
  }

  private Mac mac() {
    Mac current = mac;
    if (current == null) {
      try {
        current = Mac.getInstance(HmacKey.ALGORITHM);
        current.init(key.secretKeySpec());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot initialise " + HmacKey.ALGORITHM, e);
      }
      mac = current;
    }
    return current;
  }

  @Override
  public String toString() {
    return "Pseudonymiser(" + key + ")";
  }
}
