package io.beamml.transforms.metrics;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * The job-wide counters an operator watches first, namespace {@value #NAMESPACE}: records that
 * entered, per source, and dead letters, per source, step and reason. Exported as {@code
 * beamml_pipeline_records_in_total{source}} and {@code
 * beamml_pipeline_dead_letters_total{source,step,reason}}.
 */
public final class PipelineMetrics {

  public static final String NAMESPACE = "pipeline";
  public static final String RECORDS_IN = "records_in";
  public static final String DEAD_LETTERS = "dead_letters";

  private PipelineMetrics() {}

  /** Records (not header lines) that entered the job from {@code source}. */
  public static Counter recordsIn(String source) {
    return Metrics.counter(NAMESPACE, MetricLabels.name(RECORDS_IN, "source", source));
  }

  /** Dead letters of {@code source} that {@code step} refused for {@code reason}. */
  public static Counter deadLetters(String source, String step, String reason) {
    return Metrics.counter(
        NAMESPACE,
        MetricLabels.name(DEAD_LETTERS, "source", source, "step", step, "reason", reason));
  }
}
