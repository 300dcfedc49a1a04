package io.beamml.pipelines.trainingset;

import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.LabelledPromo;
import io.beamml.transforms.deadletter.Sources;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The send times a training set learns from: (asOf - days, asOf], so a scheduled retrain trains on
 * the recent past and a re-run with the same {@code --asOf} builds the same set. A response outside
 * it is not an example but is still accounted for: it counts as out of the responses source, and
 * again as {@value #OUTSIDE}, so the run summary balances and says why.
 */
public final class TrainingWindow implements Serializable {

  /** The summary count of responses left out by the window. */
  public static final String OUTSIDE = "outside_training_window";

  private final @Nullable Long fromExclusive;
  private final long toInclusive;

  private TrainingWindow(@Nullable Long fromExclusive, long toInclusive) {
    this.fromExclusive = fromExclusive;
    this.toInclusive = toInclusive;
  }

  /**
   * The window of {@code --trainingWindowDays} and {@code --asOf} (default {@code now}); null when
   * neither is given: every response makes an example.
   */
  public static @Nullable TrainingWindow of(
      @Nullable Integer days, @Nullable String asOf, Instant now) {
    if (days == null && (asOf == null || asOf.isBlank())) {
      return null;
    }
    if (days != null && days < 1) {
      throw new IllegalArgumentException("--trainingWindowDays must be at least 1, got " + days);
    }
    Instant end;
    try {
      end = asOf == null || asOf.isBlank() ? now : Instant.parse(asOf);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--asOf must be an ISO-8601 instant such as 2026-01-15T00:00:00Z, got " + asOf);
    }
    Long from = days == null ? null : end.minus(Duration.ofDays(days)).toEpochMilli();
    return new TrainingWindow(from, end.toEpochMilli());
  }

  public boolean contains(long sentTimeMillis) {
    return sentTimeMillis <= toInclusive
        && (fromExclusive == null || sentTimeMillis > fromExclusive);
  }

  /** The responses inside the window; those outside are counted into {@code counts}. */
  PCollection<LabelledPromo> keep(
      PCollection<LabelledPromo> responses, List<PCollection<KV<String, Long>>> counts) {
    PCollection<LabelledPromo> outside =
        responses.apply("SelectOutsideTrainingWindow", Filter.by(r -> !contains(r.getSentTime())));
    counts.add(
        outside.apply(
            "CountOutsideWindowOut",
            SummaryCounts.of(Sources.RESPONSES, SummaryCounts.RECORDS_OUT)));
    counts.add(outside.apply("CountOutsideWindow", SummaryCounts.of(Sources.RESPONSES, OUTSIDE)));
    return responses.apply("KeepTrainingWindow", Filter.by(r -> contains(r.getSentTime())));
  }

  @Override
  public String toString() {
    return "("
        + (fromExclusive == null ? "-inf" : Instant.ofEpochMilli(fromExclusive))
        + ", "
        + Instant.ofEpochMilli(toInclusive)
        + "]";
  }
}
