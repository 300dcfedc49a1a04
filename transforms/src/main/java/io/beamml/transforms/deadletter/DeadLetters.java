package io.beamml.transforms.deadletter;

import io.beamml.schemas.DeadLetter;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Builds the one dead-letter record every stage emits. The raw input is kept so nothing is lost,
 * but cut to a bounded size so one huge bad line cannot blow up a sink.
 */
public final class DeadLetters {

  /** Raw input longer than this many characters is cut (and flagged as truncated). */
  public static final int MAX_RAW_CHARS = 64 * 1024;

  private DeadLetters() {}

  public static DeadLetter of(
      String source,
      String step,
      String reason,
      String message,
      @Nullable String raw,
      @Nullable Long eventTimeMillis) {
    String rawText = raw == null ? "" : raw;
    boolean truncated = rawText.length() > MAX_RAW_CHARS;
    return DeadLetter.newBuilder()
        .setSource(source)
        .setStep(step)
        .setReason(reason)
        .setMessage(message == null ? reason : message)
        .setRaw(truncated ? rawText.substring(0, MAX_RAW_CHARS) : rawText)
        .setRawTruncated(truncated)
        .setEventTime(eventTimeMillis)
        .build();
  }

  public static Coder<DeadLetter> coder() {
    return AvroCoder.specific(DeadLetter.class);
  }
}
