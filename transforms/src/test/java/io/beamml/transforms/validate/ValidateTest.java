package io.beamml.transforms.validate;

import static io.beamml.transforms.validate.ContractRulesTest.MAX;
import static io.beamml.transforms.validate.ContractRulesTest.MIN;
import static io.beamml.transforms.validate.ContractRulesTest.T;
import static io.beamml.transforms.validate.ContractRulesTest.click;
import static io.beamml.transforms.validate.ContractRulesTest.order;
import static io.beamml.transforms.validate.ContractRulesTest.profile;
import static io.beamml.transforms.validate.ContractRulesTest.response;
import static org.junit.Assert.assertEquals;

import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.Order;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

public class ValidateTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private final ContractRules rules = ContractRules.defaults().withPlausibleRange(MIN, MAX);

  private static DeadLetter deadLetter(
      String source, String rule, String message, Object record, Long time) {
    return DeadLetters.of(source, Steps.VALIDATE, rule, message, record.toString(), time);
  }

  @Test
  public void clicksPassOrFailTheFirstBrokenRule() {
    ClickEvent good = click(12.5, T);
    ClickEvent free = click(null, T);
    ClickEvent negative = click(-1.0, T);
    Instant tooEarly = Instant.parse("2019-06-01T00:00:00Z");
    ClickEvent ancient = click(1.0, tooEarly);
    ClickEvent both = click(-1.0, tooEarly);

    WithFailures.Result<PCollection<ClickEvent>, DeadLetter> result =
        pipeline
            .apply(
                Create.of(good, free, negative, ancient, both)
                    .withCoder(AvroCoder.specific(ClickEvent.class)))
            .apply(Validate.clicks(rules));

    PAssert.that(result.output()).containsInAnyOrder(good, free);
    PAssert.that(result.failures())
        .containsInAnyOrder(
            deadLetter(
                Sources.CLICKS,
                "price_not_negative",
                "price -1.0 is negative",
                negative,
                T.toEpochMilli()),
            deadLetter(
                Sources.CLICKS,
                "event_time_plausible",
                "event time 2019-06-01T00:00:00Z is outside"
                    + " [2020-01-01T00:00:00Z, 2026-12-31T23:59:59Z]",
                ancient,
                tooEarly.toEpochMilli()),
            deadLetter(
                Sources.CLICKS,
                "price_not_negative",
                "price -1.0 is negative",
                both,
                tooEarly.toEpochMilli()));
    pipeline.run();
  }

  @Test
  public void salesAndOrdersKeepTheirSourceNames() {
    Order good = order(2, 10.0, T);
    Order none = order(0, 10.0, T);
    PCollection<Order> orders =
        pipeline.apply(Create.of(good, none).withCoder(AvroCoder.specific(Order.class)));
    WithFailures.Result<PCollection<Order>, DeadLetter> sales =
        orders.apply("ValidateSales", Validate.sales(rules));
    WithFailures.Result<PCollection<Order>, DeadLetter> topic =
        orders.apply("ValidateOrders", Validate.ordersJson(rules));

    PAssert.that(sales.output()).containsInAnyOrder(good);
    PAssert.that(topic.output()).containsInAnyOrder(good);
    PAssert.that(sales.failures())
        .containsInAnyOrder(
            deadLetter(
                Sources.SALES,
                "quantity_positive",
                "quantity 0 is not positive",
                none,
                T.toEpochMilli()));
    PAssert.that(topic.failures())
        .containsInAnyOrder(
            deadLetter(
                Sources.ORDERS,
                "quantity_positive",
                "quantity 0 is not positive",
                none,
                T.toEpochMilli()));
    pipeline.run();
  }

  @Test
  public void profilesCarryNoEventTimeAndResponsesTheirSentTime() {
    Profile adult = profile(40, LocalDate.of(2024, 3, 1));
    Profile impossible = profile(200, LocalDate.of(2024, 3, 1));
    PromoResponse yes = response(1, T);
    PromoResponse maybe = response(2, T);

    WithFailures.Result<PCollection<Profile>, DeadLetter> profiles =
        pipeline
            .apply(
                "CreateProfiles",
                Create.of(adult, impossible).withCoder(AvroCoder.specific(Profile.class)))
            .apply("ValidateProfiles", Validate.profiles(rules));
    WithFailures.Result<PCollection<PromoResponse>, DeadLetter> responses =
        pipeline
            .apply(
                "CreateResponses",
                Create.of(yes, maybe).withCoder(AvroCoder.specific(PromoResponse.class)))
            .apply("ValidateResponses", Validate.responses(rules));

    PAssert.that(profiles.output()).containsInAnyOrder(adult);
    PAssert.that(profiles.failures())
        .containsInAnyOrder(
            deadLetter(
                Sources.PROFILES, "age_in_range", "age 200 is outside [0, 120]", impossible, null));
    PAssert.that(responses.output()).containsInAnyOrder(yes);
    PAssert.that(responses.failures())
        .containsInAnyOrder(
            deadLetter(
                Sources.RESPONSES,
                "responded_is_binary",
                "responded 2 is neither 0 nor 1",
                maybe,
                T.toEpochMilli()));
    pipeline.run();
  }

  @Test
  public void customRulesOnAnyTypeAreCounted() {
    List<io.beamml.transforms.validate.Rule<String>> lengthRules =
        List.of(
            io.beamml.transforms.validate.Rule.of(
                "not_empty", (String s) -> !s.isEmpty(), s -> "empty string"),
            io.beamml.transforms.validate.Rule.of(
                "short", (String s) -> s.length() <= 3, s -> s.length() + " chars"));
    WithFailures.Result<PCollection<String>, DeadLetter> result =
        pipeline
            .apply(Create.of("abc", "", "abcd", "x").withCoder(StringUtf8Coder.of()))
            .apply(Validate.of("words", lengthRules, StringUtf8Coder.of()));

    PAssert.that(result.output()).containsInAnyOrder("abc", "x");
    PAssert.that(result.failures())
        .containsInAnyOrder(
            DeadLetters.of("words", Steps.VALIDATE, "not_empty", "empty string", "", null),
            DeadLetters.of("words", Steps.VALIDATE, "short", "4 chars", "abcd", null));
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();

    Map<String, Long> counters = new HashMap<>();
    for (MetricResult<Long> counter :
        run.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(Validate.METRICS_NAMESPACE))
                    .build())
            .getCounters()) {
      counters.merge(counter.getName().getName(), counter.getAttempted(), Long::sum);
    }
    assertEquals(Map.of("words.valid", 2L, "words.not_empty", 1L, "words.short", 1L), counters);
  }

  @Test(expected = IllegalArgumentException.class)
  public void rejectsDuplicateRuleNames() {
    List<io.beamml.transforms.validate.Rule<String>> twice =
        List.of(
            io.beamml.transforms.validate.Rule.of("r", (String s) -> true, s -> ""),
            io.beamml.transforms.validate.Rule.of("r", (String s) -> true, s -> ""));
    Validate.of("words", twice, StringUtf8Coder.of());
  }
}
