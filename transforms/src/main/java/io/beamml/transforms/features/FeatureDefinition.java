package io.beamml.transforms.features;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One feature of a {@link FeatureSpec}: either an aggregate over the customer's events in a
 * trailing event-time window, or a field of the customer's profile.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class FeatureDefinition implements Serializable {

  /** Where a feature's value comes from. */
  public enum Kind {
    event,
    profile
  }

  /** How events in the window are combined. */
  public enum Aggregation {
    count,
    sum,
    mean,
    min,
    max
  }

  /** What an event aggregate is when no event falls in its window. */
  public enum WhenEmpty {
    zero,
    missing
  }

  /** Profile fields a profile feature may name; tenure_days is derived from signup_date. */
  public static final List<String> PROFILE_FIELDS =
      List.of("age", "gender", "country", "signup_date", "tenure_days");

  /** Event fields an aggregation other than count may name. */
  public static final List<String> EVENT_FIELDS = List.of("amount");

  private final String name;
  private final Kind kind;
  private final @Nullable List<String> eventTypes;
  private final @Nullable List<String> channels;
  private final @Nullable Aggregation aggregation;
  private final @Nullable String field;
  private final @Nullable String window;
  private final @Nullable WhenEmpty whenEmpty;
  private final @Nullable List<String> categories;

  public FeatureDefinition(
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty(value = "kind", required = true) Kind kind,
      @JsonProperty("event_types") @Nullable List<String> eventTypes,
      @JsonProperty("channels") @Nullable List<String> channels,
      @JsonProperty("aggregation") @Nullable Aggregation aggregation,
      @JsonProperty("field") @Nullable String field,
      @JsonProperty("window") @Nullable String window,
      @JsonProperty("when_empty") @Nullable WhenEmpty whenEmpty,
      @JsonProperty("categories") @Nullable List<String> categories) {
    this.name = name;
    this.kind = kind;
    this.eventTypes = eventTypes == null ? null : List.copyOf(eventTypes);
    this.channels = channels == null ? null : List.copyOf(channels);
    this.aggregation = aggregation;
    this.field = field;
    this.window = window;
    this.whenEmpty = whenEmpty;
    this.categories = categories == null ? null : List.copyOf(categories);
    validate();
  }

  private void validate() {
    if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("feature name must be an identifier, got: " + name);
    }
    if (kind == Kind.event) {
      if (aggregation == null) {
        throw new IllegalArgumentException("event feature " + name + " needs an aggregation");
      }
      if (window == null) {
        throw new IllegalArgumentException("event feature " + name + " needs a window (ISO-8601, e.g. P7D)");
      }
      Duration w = windowDuration();
      if (w.isZero() || w.isNegative()) {
        throw new IllegalArgumentException("event feature " + name + " needs a positive window");
      }
      if (aggregation != Aggregation.count && (field == null || !EVENT_FIELDS.contains(field))) {
        throw new IllegalArgumentException(
            "event feature " + name + " with " + aggregation + " needs a field among " + EVENT_FIELDS);
      }
    } else {
      if (field == null || !PROFILE_FIELDS.contains(field)) {
        throw new IllegalArgumentException(
            "profile feature " + name + " needs a field among " + PROFILE_FIELDS + ", got: " + field);
      }
      if (aggregation != null || window != null) {
        throw new IllegalArgumentException("profile feature " + name + " takes no aggregation or window");
      }
    }
  }

  @JsonProperty("name")
  public String name() {
    return name;
  }

  @JsonProperty("kind")
  public Kind kind() {
    return kind;
  }

  /** Event types the aggregate counts; null means every type. */
  @JsonProperty("event_types")
  public @Nullable List<String> eventTypes() {
    return eventTypes;
  }

  /** Channels the aggregate counts; null means every channel (orders have none). */
  @JsonProperty("channels")
  public @Nullable List<String> channels() {
    return channels;
  }

  @JsonProperty("aggregation")
  public @Nullable Aggregation aggregation() {
    return aggregation;
  }

  @JsonProperty("field")
  public @Nullable String field() {
    return field;
  }

  @JsonProperty("window")
  public @Nullable String window() {
    return window;
  }

  @JsonProperty("when_empty")
  public @Nullable WhenEmpty whenEmptyOrNull() {
    return whenEmpty;
  }

  /** Vocabulary of a categorical profile feature; a value's index is its numeric code. */
  @JsonProperty("categories")
  public @Nullable List<String> categories() {
    return categories;
  }

  @JsonIgnore
  public boolean isCategorical() {
    return kind == Kind.profile && ("gender".equals(field) || "country".equals(field));
  }

  /** The trailing window: a row as of t counts events with event time in (t - window, t]. */
  @JsonIgnore
  public Duration windowDuration() {
    if (window == null) {
      throw new IllegalStateException(name + " has no window");
    }
    return Duration.parse(window);
  }

  @JsonIgnore
  public long windowMillis() {
    return windowDuration().toMillis();
  }

  /** count and sum of nothing are 0; mean, min and max of nothing are missing, unless told. */
  @JsonIgnore
  public WhenEmpty whenEmpty() {
    if (whenEmpty != null) {
      return whenEmpty;
    }
    return aggregation == Aggregation.count || aggregation == Aggregation.sum
        ? WhenEmpty.zero
        : WhenEmpty.missing;
  }

  /** Whether an event of this type and channel is counted by this aggregate. */
  public boolean matches(String eventType, @Nullable String channel) {
    if (eventTypes != null && !eventTypes.contains(eventType)) {
      return false;
    }
    return channels == null || (channel != null && channels.contains(channel));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof FeatureDefinition)) {
      return false;
    }
    FeatureDefinition f = (FeatureDefinition) o;
    return name.equals(f.name)
        && kind == f.kind
        && Objects.equals(eventTypes, f.eventTypes)
        && Objects.equals(channels, f.channels)
        && aggregation == f.aggregation
        && Objects.equals(field, f.field)
        && Objects.equals(window, f.window)
        && whenEmpty == f.whenEmpty
        && Objects.equals(categories, f.categories);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, kind, eventTypes, channels, aggregation, field, window, whenEmpty, categories);
  }

  @Override
  public String toString() {
    return name;
  }
}
