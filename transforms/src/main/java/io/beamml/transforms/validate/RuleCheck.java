package io.beamml.transforms.validate;

import io.beamml.schemas.DeadLetter;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Steps;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The rules of a {@link Validate} as a plain check with its counters, so that a step which still
 * holds a record's input line (Parse, through {@code Parse.thenValidate}) can refuse the record
 * with that line as the dead letter's raw input, in the same DoFn and without another pass.
 */
public final class RuleCheck<T> implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final List<Rule<T>> rules;
  private final @Nullable SerializableFunction<T, Long> eventTime;
  private final Counter valid;
  private final List<Counter> failed;

  RuleCheck(String source, List<Rule<T>> rules, @Nullable SerializableFunction<T, Long> eventTime) {
    this.source = source;
    this.rules = rules;
    this.eventTime = eventTime;
    this.valid = Metrics.counter(Validate.METRICS_NAMESPACE, source + "." + Validate.VALID);
    this.failed = new ArrayList<>(rules.size());
    for (Rule<T> rule : rules) {
      failed.add(Metrics.counter(Validate.METRICS_NAMESPACE, source + "." + rule.name()));
    }
  }

  /**
   * The first rule {@code record} fails, counted under the rule's name, or null when it passes them
   * all, counted as valid.
   */
  public @Nullable Rule<T> firstFailure(T record) {
    for (int i = 0; i < rules.size(); i++) {
      Rule<T> rule = rules.get(i);
      if (!rule.passes(record)) {
        failed.get(i).inc();
        return rule;
      }
    }
    valid.inc();
    return null;
  }

  /** The dead letter of a record that failed {@code rule}, holding {@code raw} as its input. */
  public DeadLetter deadLetter(T record, Rule<T> rule, String raw) {
    return DeadLetters.of(
        source,
        Steps.VALIDATE,
        rule.name(),
        rule.message(record),
        raw,
        eventTime == null ? null : eventTime.apply(record));
  }
}
