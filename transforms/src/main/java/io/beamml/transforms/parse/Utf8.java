package io.beamml.transforms.parse;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Strict UTF-8 decoding of input as read. A lenient decoder (Java's {@code new String}, TextIO,
 * Kafka's {@code StringDeserializer}) turns every invalid sequence into U+FFFD, so two different
 * ids can come out as the same text; input must be refused instead.
 */
public final class Utf8 {

  private static final char REPLACEMENT = '\uFFFD';

  private Utf8() {}

  /**
   * The text of {@code bytes}, or null when they are not well-formed UTF-8. Decodes once with the
   * JDK's fast decoder; only text holding U+FFFD (a replaced sequence, or a real U+FFFD) is checked
   * again strictly.
   */
  public static @Nullable String decodeStrict(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.indexOf(REPLACEMENT) < 0) {
      return text;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The best-effort text of {@code bytes}: invalid sequences become U+FFFD. */
  public static String decodeLenient(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
