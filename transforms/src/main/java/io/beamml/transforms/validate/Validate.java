package io.beamml.transforms.validate;

import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.Order;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import io.beamml.transforms.coders.SpecificRecordCoder;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Sources;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Checks parsed records against a list of {@link Rule}s. A record that passes them all goes on
 * unchanged; the first rule it fails turns it into a dead letter whose reason is that rule's name
 * and whose raw text is the record rendered as JSON. Records parsed from lines should be checked in
 * the parsing step instead ({@code Parse.thenValidate}), so their dead letters keep the line as
 * read.
 *
 * <p>Counters, namespace {@value #METRICS_NAMESPACE}: {@code <source>.valid} and {@code
 * <source>.<rule name>} for each failing rule.
 */
public final class Validate<T>
    extends PTransform<PCollection<T>, WithFailures.Result<PCollection<T>, DeadLetter>> {

  private static final long serialVersionUID = 1L;

  public static final String METRICS_NAMESPACE = "validate";
  public static final String VALID = "valid";

  private final String source;
  private final List<Rule<T>> rules;
  private final Coder<T> coder;
  private final @Nullable SerializableFunction<T, Long> eventTime;

  private Validate(
      String source,
      List<Rule<T>> rules,
      Coder<T> coder,
      @Nullable SerializableFunction<T, Long> eventTime) {
    this.source = source;
    this.rules = rules;
    this.coder = coder;
    this.eventTime = eventTime;
  }

  /**
   * Checks records of {@code source} against {@code rules}, in order. Rule names must be unique:
   * each is a reason code.
   */
  public static <T> Validate<T> of(String source, List<Rule<T>> rules, Coder<T> coder) {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("source must be named");
    }
    if (rules == null || coder == null) {
      throw new IllegalArgumentException("rules and coder are required");
    }
    Set<String> names = new HashSet<>();
    for (Rule<T> rule : rules) {
      if (!names.add(rule.name())) {
        throw new IllegalArgumentException("rule " + rule.name() + " is listed twice");
      }
    }
    return new Validate<>(source, new ArrayList<>(rules), coder, null);
  }

  /** The contract's click rules with the default plausible range. */
  public static Validate<ClickEvent> clicks() {
    return clicks(ContractRules.defaults());
  }

  /** The contract's click rules with the given plausible range. */
  public static Validate<ClickEvent> clicks(ContractRules rules) {
    return of(Sources.CLICKS, rules.clicks(), SpecificRecordCoder.of(ClickEvent.class))
        .withEventTime(ClickEvent::getEventTime);
  }

  /** The contract's order rules for the sales dumps, with the default plausible range. */
  public static Validate<Order> sales() {
    return sales(ContractRules.defaults());
  }

  public static Validate<Order> sales(ContractRules rules) {
    return orders(Sources.SALES, rules);
  }

  /** The contract's order rules for the orders topic, with the default plausible range. */
  public static Validate<Order> ordersJson() {
    return ordersJson(ContractRules.defaults());
  }

  public static Validate<Order> ordersJson(ContractRules rules) {
    return orders(Sources.ORDERS, rules);
  }

  /** The contract's profile rules, with the default plausible range. */
  public static Validate<Profile> profiles() {
    return profiles(ContractRules.defaults());
  }

  public static Validate<Profile> profiles(ContractRules rules) {
    return of(Sources.PROFILES, rules.profiles(), SpecificRecordCoder.of(Profile.class));
  }

  /** The contract's response rules, with the default plausible range. */
  public static Validate<PromoResponse> responses() {
    return responses(ContractRules.defaults());
  }

  public static Validate<PromoResponse> responses(ContractRules rules) {
    return of(Sources.RESPONSES, rules.responses(), SpecificRecordCoder.of(PromoResponse.class))
        .withEventTime(PromoResponse::getSentTime);
  }

  private static Validate<Order> orders(String source, ContractRules rules) {
    return of(source, rules.orders(), SpecificRecordCoder.of(Order.class))
        .withEventTime(Order::getOrderTime);
  }

  /** The same transform, writing each failing record's event time into its dead letter. */
  public Validate<T> withEventTime(SerializableFunction<T, Long> eventTime) {
    if (eventTime == null) {
      throw new IllegalArgumentException("eventTime function is required");
    }
    return new Validate<>(source, rules, coder, eventTime);
  }

  /**
   * These rules as a plain check, for a step that still has each record's input line and so can
   * write it as the dead letter's raw input.
   */
  public RuleCheck<T> check() {
    return new RuleCheck<>(source, rules, eventTime);
  }

  @Override
  public WithFailures.Result<PCollection<T>, DeadLetter> expand(PCollection<T> records) {
    TupleTag<T> validTag = new TupleTag<>();
    TupleTag<DeadLetter> deadLettersTag = new TupleTag<>();
    PCollectionTuple checked =
        records.apply(
            "ApplyRules",
            ParDo.of(new ValidateFn<>(check(), validTag, deadLettersTag))
                .withOutputTags(validTag, TupleTagList.of(deadLettersTag)));
    checked.get(validTag).setCoder(coder);
    checked.get(deadLettersTag).setCoder(DeadLetters.coder());
    return WithFailures.Result.of(checked, validTag, deadLettersTag);
  }

  private static final class ValidateFn<T> extends DoFn<T, T> {

    private static final long serialVersionUID = 1L;

    private final RuleCheck<T> check;
    private final TupleTag<T> validTag;
    private final TupleTag<DeadLetter> deadLettersTag;

    ValidateFn(RuleCheck<T> check, TupleTag<T> validTag, TupleTag<DeadLetter> deadLettersTag) {
      this.check = check;
      this.validTag = validTag;
      this.deadLettersTag = deadLettersTag;
    }

    @ProcessElement
    public void processElement(@Element T record, MultiOutputReceiver out) {
      Rule<T> failed = check.firstFailure(record);
      if (failed == null) {
        out.get(validTag).output(record);
      } else {
        out.get(deadLettersTag).output(check.deadLetter(record, failed, String.valueOf(record)));
      }
    }
  }
}
