package io.beamml.pipelines.stream;

/**
 * Names of the streaming job's Beam counters, for whoever reads them from a running job's {@code
 * PipelineResult.metrics()}. Each stage's own counters (parse, validate, dedup, features,
 * inference) keep their namespaces; these are the job's doors. The responses door of live quality
 * counts in namespace {@code quality}, as the batch report does: {@code
 * responses_matched{by=latest_prediction}}, {@code responses_unscored} (no prediction at or before
 * the send time within the score TTL) and {@value
 * io.beamml.pipelines.quality.StreamMatchScores#LATE_COUNTER} (also dead letters, reason {@code
 * late_response}).
 */
public final class StreamCounters {

  public static final String NAMESPACE = "stream";

  private StreamCounters() {}

  /** Records handed to the producer for {@code topic}. */
  public static String written(String topic) {
    return topic + ".written";
  }

  /**
   * Messages of {@code topic} stamped with their Kafka timestamp because their own was unreadable.
   */
  public static String unreadableEventTime(String topic) {
    return topic + ".unreadable_event_time";
  }
}
