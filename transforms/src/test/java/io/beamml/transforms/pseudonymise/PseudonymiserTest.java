package io.beamml.transforms.pseudonymise;

import static io.beamml.transforms.pseudonymise.HmacTesting.KEY;
import static io.beamml.transforms.pseudonymise.HmacTesting.OTHER_KEY;
import static io.beamml.transforms.pseudonymise.HmacTesting.hmacHex;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.Test;

public class PseudonymiserTest {

  @Test
  public void sameIdAndKeyGiveTheSamePseudonym() {
    Pseudonymiser one = new Pseudonymiser(HmacKey.ofBytes(KEY));
    Pseudonymiser two = new Pseudonymiser(HmacKey.ofBytes(KEY));
    assertEquals(one.pseudonym("cust-42"), one.pseudonym("cust-42"));
    assertEquals(one.pseudonym("cust-42"), two.pseudonym("cust-42"));
    assertNotEquals(one.pseudonym("cust-42"), one.pseudonym("cust-43"));
  }

  @Test
  public void aDifferentKeyGivesADifferentPseudonym() {
    assertNotEquals(
        new Pseudonymiser(HmacKey.ofBytes(KEY)).pseudonym("cust-42"),
        new Pseudonymiser(HmacKey.ofBytes(OTHER_KEY)).pseudonym("cust-42"));
  }

  @Test
  public void isLowercaseHexHmacSha256() {
    String pseudonym = new Pseudonymiser(HmacKey.ofBytes(KEY)).pseudonym("cust-42");
    assertEquals(hmacHex(KEY, "cust-42"), pseudonym);
    assertTrue(pseudonym, pseudonym.matches("[0-9a-f]{64}"));
    // Not a plain (unkeyed) hash of the id.
    assertNotEquals(sha256Hex("cust-42"), pseudonym);
  }

  @Test
  public void matchesRfc4231TestCase1() {
    byte[] key = new byte[20];
    Arrays.fill(key, (byte) 0x0b);
    assertEquals(
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        new Pseudonymiser(HmacKey.ofBytes(key)).pseudonym("Hi There"));
  }

  @Test
  public void survivesSerialisationAfterUse() {
    Pseudonymiser used = new Pseudonymiser(HmacKey.ofBytes(KEY));
    String before = used.pseudonym("cust-42");
    Pseudonymiser copy = SerializableUtils.clone(used);
    assertEquals(before, copy.pseudonym("cust-42"));
    assertFalse(copy.toString().contains(new String(KEY)));
  }

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
