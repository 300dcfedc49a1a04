package io.beamml.transforms.deadletter;

import io.beamml.schemas.DeadLetter;
import io.beamml.transforms.coders.SpecificRecordCoder;
import java.util.Arrays;
import java.util.Base64;
import org.apache.beam.sdk.coders.Coder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Builds the one dead-letter record every stage emits. The raw input is kept so nothing is lost,
 * but cut to a bounded size so one huge bad line cannot blow up a sink. Input whose text cannot
 * stand for its bytes (invalid UTF-8) keeps the bytes too, as base64.
 */
public final class DeadLetters {

  /** Raw input longer than this many characters is cut (and flagged as truncated). */
  public static final int MAX_RAW_CHARS = 64 * 1024;

  /** Raw bytes kept as base64 are cut at this many bytes (and flagged as truncated). */
  public static final int MAX_RAW_BYTES = 64 * 1024;

  private DeadLetters() {}

  public static DeadLetter of(
      String source,
      String step,
      String reason,
      String message,
      @Nullable String raw,
      @Nullable Long eventTimeMillis) {
    return of(source, step, reason, message, raw, null, eventTimeMillis);
  }

  /**
   * A dead letter whose {@code raw} text is best effort and whose {@code rawBytes}, when not null,
   * are the exact input the text cannot represent; they are kept as {@code raw_base64}.
   */
  public static DeadLetter of(
      String source,
      String step,
      String reason,
      String message,
      @Nullable String raw,
      byte @Nullable [] rawBytes,
      @Nullable Long eventTimeMillis) {
    String rawText = raw == null ? "" : raw;
    boolean truncated = rawText.length() > MAX_RAW_CHARS;
    String base64 = null;
    if (rawBytes != null) {
      boolean cut = rawBytes.length > MAX_RAW_BYTES;
      truncated |= cut;
      base64 =
          Base64.getEncoder()
              .encodeToString(cut ? Arrays.copyOf(rawBytes, MAX_RAW_BYTES) : rawBytes);
    }
    return DeadLetter.newBuilder()
        .setSource(source)
        .setStep(step)
        .setReason(reason)
        .setMessage(message == null ? reason : message)
        .setRaw(rawText.length() > MAX_RAW_CHARS ? rawText.substring(0, MAX_RAW_CHARS) : rawText)
        .setRawBase64(base64)
        .setRawTruncated(truncated)
        .setEventTime(eventTimeMillis)
        .build();
  }

  public static Coder<DeadLetter> coder() {
    return SpecificRecordCoder.of(DeadLetter.class);
  }
}
