package io.beamml.transforms.parse;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Event time straight from a JSON message, reading only up to its time field: what a Kafka
 * timestamp policy needs before the message is parsed. A message whose time cannot be read gives
 * null; the policy should fall back (to the broker's timestamp, say), and Parse will route that
 * message to the dead letters anyway.
 */
public final class EventTimes {

  private EventTimes() {}

  /** {@code event_time} of a clicks message, epoch milliseconds UTC, or null. */
  public static @Nullable Long clickEventTime(String json) {
    return timeField(json, "event_time");
  }

  /** {@code order_time} of an orders message, epoch milliseconds UTC, or null. */
  public static @Nullable Long orderEventTime(String json) {
    return timeField(json, "order_time");
  }

  /** {@code sent_time} of a responses message, epoch milliseconds UTC, or null. */
  public static @Nullable Long responseSentTime(String json) {
    return timeField(json, "sent_time");
  }

  private static @Nullable Long timeField(String json, String name) {
    String text = JsonFields.readString(Lines.normalise(json), name);
    if (text == null) {
      return null;
    }
    try {
      return FieldValues.instantMillis(name, text);
    } catch (ParseFailure e) {
      return null;
    }
  }
}
