package io.beamml.transforms.parse;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Why one input line could not become a record: a reason code from {@code Reasons}, a message that
 * names the field, and the event time when it was read before the failure. Bad lines are ordinary
 * data here, so the exception carries no stack trace and is cheap to throw.
 */
public final class ParseFailure extends Exception {

  private static final long serialVersionUID = 1L;

  private final String reason;
  private final @Nullable Long eventTimeMillis;

  public ParseFailure(String reason, String message) {
    this(reason, message, null);
  }

  public ParseFailure(String reason, String message, @Nullable Long eventTimeMillis) {
    super(message, null, false, false);
    this.reason = reason;
    this.eventTimeMillis = eventTimeMillis;
  }

  public String reason() {
    return reason;
  }

  public @Nullable Long eventTimeMillis() {
    return eventTimeMillis;
  }

  /** The same failure, now knowing the event time the record was read with. */
  public ParseFailure withEventTime(long eventTimeMillis) {
    return this.eventTimeMillis != null
        ? this
        : new ParseFailure(reason, getMessage(), eventTimeMillis);
  }
}
