package io.beamml.transforms.parse;

import io.beamml.schemas.DeadLetter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/** Test helper: dead letters as comparable one-line summaries (message left out). */
public final class DeadLetterSummaries {

  private DeadLetterSummaries() {}

  public static PCollection<String> summarise(PCollection<DeadLetter> deadLetters) {
    return deadLetters.apply(
        "SummariseDeadLetters",
        MapElements.into(TypeDescriptors.strings())
            .via(
                d ->
                    summary(
                        d.getSource(), d.getStep(), d.getReason(), d.getEventTime(), d.getRaw())));
  }

  public static String summary(
      String source, String step, String reason, @Nullable Long eventTime, String raw) {
    return source + "/" + step + "/" + reason + "/" + eventTime + ": " + raw;
  }
}
