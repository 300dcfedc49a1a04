package io.beamml.inference;

/**
 * Names of the scoring metrics, in the style of Beam's RunInference: one namespace, counters for
 * rows scored and refused, distributions for batch size, batch latency and model load time.
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

  private InferenceMetrics() {}

  /** Counter of rows scored by one model version in one role, e.g. predictions_promo_3_champion. */
  public static String predictions(DeployedModel model) {
    return "predictions_" + model.key().name() + "_" + model.key().version() + "_" + model.variant();
  }
}
