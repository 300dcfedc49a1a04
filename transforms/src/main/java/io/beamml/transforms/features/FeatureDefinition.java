package io.beamml.transforms.features;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.TrainingExample;
import java.io.Serializable;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Schema;
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

  /** Event fields an aggregation other than count may name. */
  public static final List<String> EVENT_FIELDS = List.of("amount");

  /** Event types of {@code CustomerEvent.event_type} an event feature may filter on. */
  public static final List<String> EVENT_TYPES = List.of("view", "click", "add_to_cart", "order");

  /**
   * Names a feature may not take: the other columns of the wide rows (JSON, CSV) that carry
   * features beside them, from the feature row's and training example's schemas.
   */
  static final Set<String> RESERVED_NAMES = reservedNames();

  /** The JSON properties a feature may have. */
  static final List<String> PROPERTIES =
      List.of(
          "name",
          "kind",
          "event_types",
          "channels",
          "aggregation",
          "field",
          "window",
          "when_empty",
          "categories");

  /** Channels of {@code CustomerEvent.channel} an event feature may filter on. */
  public static final List<String> CHANNELS = List.of("web", "app", "email");

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
    this.eventTypes = copyOf(name, "event_types", eventTypes);
    this.channels = copyOf(name, "channels", channels);
    this.aggregation = aggregation;
    this.field = field;
    this.window = window;
    this.whenEmpty = whenEmpty;
    this.categories = copyOf(name, "categories", categories);
    validate();
  }

  private static @Nullable List<String> copyOf(
      String feature, String property, @Nullable List<String> values) {
    if (values == null) {
      return null;
    }
    // List.of(...).contains(null) throws, so look for a null by hand.
    if (values.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException("feature " + feature + " has a null in " + property);
    }
    return List.copyOf(values);
  }

  private void validate() {
    if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("feature name must be an identifier, got: " + name);
    }
    if (RESERVED_NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "feature name "
              + name
              + " is a column of the rows features are written in ("
              + RESERVED_NAMES
              + ")");
    }
    if (kind == null) {
      throw new IllegalArgumentException("feature " + name + " needs a kind (event or profile)");
    }
    if (kind == Kind.event) {
      validateEvent();
    } else {
      validateProfile();
    }
  }

  private void validateEvent() {
    if (aggregation == null) {
      throw new IllegalArgumentException("event feature " + name + " needs an aggregation");
    }
    if (window == null) {
      throw new IllegalArgumentException(
          "event feature " + name + " needs a window (ISO-8601, e.g. P7D)");
    }
    Duration w;
    try {
      w = windowDuration();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "event feature "
              + name
              + " has window "
              + window
              + ", which is not an ISO-8601 duration such as P7D or PT12H",
          e);
    }
    // Windows are applied in whole milliseconds; a shorter one would hold no event at all.
    if (w.isNegative() || w.toMillis() <= 0) {
      throw new IllegalArgumentException(
          "event feature " + name + " needs a window of at least 1 ms, got " + window);
    }
    if (aggregation != Aggregation.count && field == null) {
      throw new IllegalArgumentException(
          "event feature "
              + name
              + " with "
              + aggregation
              + " needs a field among "
              + EVENT_FIELDS);
    }
    if (field != null && !EVENT_FIELDS.contains(field)) {
      throw new IllegalArgumentException(
          "event feature " + name + " names field " + field + ", not among " + EVENT_FIELDS);
    }
    checkValues("event_types", eventTypes, EVENT_TYPES);
    checkValues("channels", channels, CHANNELS);
    if (categories != null) {
      throw new IllegalArgumentException(
          "event feature " + name + " is numeric and takes no categories");
    }
  }

  private void validateProfile() {
    if (ProfileField.named(field).isEmpty()) {
      throw new IllegalArgumentException(
          "profile feature "
              + name
              + " needs a field among "
              + ProfileField.names()
              + ", got: "
              + field);
    }
    if (aggregation != null || window != null || whenEmpty != null) {
      throw new IllegalArgumentException(
          "profile feature " + name + " takes no aggregation, window or when_empty");
    }
    if (eventTypes != null || channels != null) {
      throw new IllegalArgumentException(
          "profile feature " + name + " takes no event_types or channels");
    }
    if (categories != null) {
      if (!isCategorical()) {
        throw new IllegalArgumentException(
            "profile feature " + name + " (" + field + ") is numeric and takes no categories");
      }
      if (new HashSet<>(categories).size() != categories.size()) {
        throw new IllegalArgumentException(
            "profile feature " + name + " lists a category twice: " + categories);
      }
    }
  }

  private void checkValues(String property, @Nullable List<String> values, List<String> allowed) {
    if (values == null) {
      return;
    }
    if (values.isEmpty()) {
      throw new IllegalArgumentException(
          "event feature "
              + name
              + " has an empty "
              + property
              + " list, which matches nothing;"
              + " leave it out to match every value");
    }
    for (String v : values) {
      if (!allowed.contains(v)) {
        throw new IllegalArgumentException(
            "event feature "
                + name
                + " filters "
                + property
                + " on "
                + v
                + ", not among "
                + allowed);
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
    return kind == Kind.profile
        && ProfileField.named(field).map(ProfileField::isCategorical).orElse(false);
  }

  /** The profile field a profile feature reads. */
  @JsonIgnore
  public ProfileField profileField() {
    return ProfileField.named(field)
        .orElseThrow(
            () -> new IllegalStateException(name + " is not a profile feature of a known field"));
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
    return Objects.hash(
        name, kind, eventTypes, channels, aggregation, field, window, whenEmpty, categories);
  }

  @Override
  public String toString() {
    return name;
  }

  private static Set<String> reservedNames() {
    Set<String> names = new TreeSet<>();
    for (Schema schema : List.of(FeatureRow.getClassSchema(), TrainingExample.getClassSchema())) {
      for (Schema.Field f : schema.getFields()) {
        if (!f.name().equals("features")) {
          names.add(f.name());
        }
      }
    }
    return Collections.unmodifiableSet(names);
  }
}
