package io.beamml.training;

/** The promotion gate said no; the message says why. The CLI exits with {@link #EXIT_CODE}. */
public final class PromotionRefusedException extends RuntimeException {

  public static final int EXIT_CODE = 3;

  private final String reason;

  public PromotionRefusedException(String reason) {
    super("promotion refused: " + reason + " (--force moves the alias anyway and records forced=true)");
    this.reason = reason;
  }

  /** The gate's reason, without the advice about --force. */
  public String reason() {
    return reason;
  }
}
