package io.beamml.transforms.deadletter;

/** Names of the stages that emit dead letters, as written in {@code DeadLetter.step}. */
public final class Steps {
  public static final String PARSE = "parse";
  public static final String VALIDATE = "validate";
  public static final String FEATURES = "features";
  public static final String SCORE = "score";
  public static final String INGEST = "ingest";
  public static final String SINK = "sink";
  public static final String DRIFT = "drift";

  /** The stream's join of promotion responses with the scores their customers got. */
  public static final String QUALITY = "quality";

  private Steps() {}
}
