package io.beamml.inference;

import io.beamml.transforms.metrics.MetricLabels;

/**
 * Names of the scoring metrics, in the style of Beam's RunInference: one namespace, counters for
 * rows scored and refused, distributions for batch size, batch latency and model load time, and
 * counters for the life of a followed alias (switches, refused versions, failed re-reads).
 */
public final class InferenceMetrics {

  public static final String NAMESPACE = "inference";

  /** Rows scored. */
  public static final String INFERENCES = "inferences";

  /** Rows refused (dead letters). */
  public static final String FAILURES = "failures";

  public static final String BATCH_SIZE = "batch_size";

  /** Time of one batch's predict (and explain) call. */
  public static final String BATCH_LATENCY_MICROS = "batch_latency_micros";

  public static final String MODEL_LOAD_MILLIS = "model_load_millis";

  /** A worker JVM started scoring a followed alias with another version: once per JVM and move. */
  public static final String MODEL_SWITCHES = "model_switches";

  /** A followed alias pointed at a version that could not be loaded; the old one kept scoring. */
  public static final String MODEL_SWITCH_FAILURES = "model_switch_failures";

  /** A re-read of a followed alias failed; the version already known kept scoring. */
  public static final String ALIAS_REFRESH_FAILURES = "alias_refresh_failures";

  private InferenceMetrics() {}

  /** Family of {@link #predictions(DeployedModel)}. */
  public static final String PREDICTIONS = "predictions";

  /**
   * Counter of rows scored by one model version in one role, with those as labels (see {@link
   * MetricLabels}), e.g. {@code predictions{model=promo,version=3,variant=champion}}.
   */
  public static String predictions(DeployedModel model) {
    return MetricLabels.name(
        PREDICTIONS,
        "model",
        model.key().name(),
        "version",
        model.key().version(),
        "variant",
        model.variant());
  }
}
