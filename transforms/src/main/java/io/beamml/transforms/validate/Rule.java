package io.beamml.transforms.validate;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * One named check on a parsed record. The name is the reason code a failing record's dead letter
 * carries, so rules are data a run summary can count, not code paths.
 */
public final class Rule<T> implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String name;
  private final SerializableFunction<T, Boolean> passes;
  private final SerializableFunction<T, String> message;

  private Rule(
      String name,
      SerializableFunction<T, Boolean> passes,
      SerializableFunction<T, String> message) {
    this.name = name;
    this.passes = passes;
    this.message = message;
  }

  /**
   * A rule named {@code name} (a snake_case reason code) that a record passes when {@code passes}
   * is true; {@code message} says, for a failing record, what is wrong with it.
   */
  public static <T> Rule<T> of(
      String name,
      SerializableFunction<T, Boolean> passes,
      SerializableFunction<T, String> message) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a rule needs a name");
    }
    if (passes == null || message == null) {
      throw new IllegalArgumentException("rule " + name + " needs a predicate and a message");
    }
    return new Rule<>(name, passes, message);
  }

  public String name() {
    return name;
  }

  public boolean passes(T record) {
    return Boolean.TRUE.equals(passes.apply(record));
  }

  public String message(T record) {
    return message.apply(record);
  }

  @Override
  public String toString() {
    return "Rule(" + name + ")";
  }
}
