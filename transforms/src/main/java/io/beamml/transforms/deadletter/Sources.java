package io.beamml.transforms.deadletter;

/** Names of the inputs, as written in {@code DeadLetter.source} and in the run summary. */
public final class Sources {
  public static final String CLICKS = "clicks";
  public static final String SALES = "sales";
  public static final String ORDERS = "orders";
  public static final String PROFILES = "profiles";
  public static final String RESPONSES = "responses";
  public static final String FEATURES = "features";

  private Sources() {}
}
