package io.beamml.transforms.pseudonymise;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 computed straight from javax.crypto, to check the code under test against. */
final class HmacTesting {

  static final byte[] KEY = "0123456789abcdef-test-key".getBytes(StandardCharsets.US_ASCII);
  static final byte[] OTHER_KEY = "fedcba9876543210-test-key".getBytes(StandardCharsets.US_ASCII);

  private HmacTesting() {}

  static String hmacHex(byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
