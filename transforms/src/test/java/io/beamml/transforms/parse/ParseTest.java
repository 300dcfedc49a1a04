package io.beamml.transforms.parse;

import static io.beamml.transforms.parse.DeadLetterSummaries.summarise;
import static org.junit.Assert.assertEquals;

import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.Order;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.metrics.PipelineMetrics;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class ParseTest {

  private static final long EIGHT_UTC = ClickJsonParserTest.EIGHT_UTC;

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void clicksKeepGoodLinesAndTheirTimestampsAndRouteBadOnes() {
    String good = ClickJsonParserTest.GOOD;
    String noPrice = ClickJsonParserTest.without("price");
    String badEnum = ClickJsonParserTest.with("channel", "\"sms\"");
    String badPrice = ClickJsonParserTest.with("price", "\"12.5\"");
    String badTime = ClickJsonParserTest.with("event_time", "\"2026-01-05T10:00:00\"");
    String noCustomer = ClickJsonParserTest.with("customer_id", "\"\"");
    List<TimestampedValue<String>> input =
        List.of(
            TimestampedValue.of(good + "\r", new Instant(1)),
            TimestampedValue.of("\uFEFF" + noPrice, new Instant(2)),
            TimestampedValue.of("{\"event_id\":\"e1\",", new Instant(3)),
            TimestampedValue.of("[]", new Instant(4)),
            TimestampedValue.of("   ", new Instant(5)),
            TimestampedValue.of(badEnum, new Instant(6)),
            TimestampedValue.of(badPrice, new Instant(7)),
            TimestampedValue.of(badTime, new Instant(8)),
            TimestampedValue.of(noCustomer, new Instant(9)));

    WithFailures.Result<PCollection<ClickEvent>, DeadLetter> result =
        pipeline
            .apply(Create.timestamped(input).withCoder(StringUtf8Coder.of()))
            .apply(TestLines.utf8())
            .apply(Parse.clicks());

    PAssert.that(result.output().apply("ReifyTimestamps", Reify.timestamps()))
        .containsInAnyOrder(
            TimestampedValue.of(ClickJsonParserTest.expected(12.5), new Instant(1)),
            TimestampedValue.of(ClickJsonParserTest.expected(null), new Instant(2)));
    PAssert.that(summarise(result.failures()))
        .containsInAnyOrder(
            parse(Sources.CLICKS, Reasons.MALFORMED_JSON, null, "{\"event_id\":\"e1\","),
            parse(Sources.CLICKS, Reasons.MALFORMED_JSON, null, "[]"),
            parse(Sources.CLICKS, Reasons.BLANK_LINE, null, "   "),
            parse(Sources.CLICKS, Reasons.UNKNOWN_ENUM_VALUE, EIGHT_UTC, badEnum),
            parse(Sources.CLICKS, Reasons.WRONG_TYPE, EIGHT_UTC, badPrice),
            parse(Sources.CLICKS, Reasons.UNPARSEABLE_TIMESTAMP, null, badTime),
            parse(Sources.CLICKS, Reasons.MISSING_REQUIRED_FIELD, EIGHT_UTC, noCustomer));
    pipeline.run();
  }

  @Test
  public void salesSkipTheHeaderAndParseQuotedFields() {
    String quoted = "\"o-2, gift\",c1,p1,2,25.5,EUR,\"2026-01-05T10:00:00+02:00\"";
    WithFailures.Result<PCollection<Order>, DeadLetter> result =
        pipeline
            .apply(
                Create.of(
                        "\uFEFF" + OrderCsvParserTest.HEADER + "\r",
                        OrderCsvParserTest.GOOD + "\r",
                        quoted,
                        "",
                        "o3,c1,p1,2,25.5,EUR",
                        "\"o4,c1,p1,2,25.5,EUR,2026-01-05T10:00:00Z",
                        "o5,c1,p1,x,25.5,EUR,2026-01-05T10:00:00+02:00",
                        "o6,c1,p1,2,25.5,EUR,05/01/2026",
                        "o7,c1,,2,25.5,EUR,2026-01-05T10:00:00+02:00")
                    .withCoder(StringUtf8Coder.of()))
            .apply(TestLines.utf8())
            .apply(Parse.sales());

    PAssert.that(result.output())
        .containsInAnyOrder(
            OrderCsvParserTest.order("o1", 2, 25.5),
            OrderCsvParserTest.order("o-2, gift", 2, 25.5));
    PAssert.that(summarise(result.failures()))
        .containsInAnyOrder(
            parse(Sources.SALES, Reasons.BLANK_LINE, null, ""),
            parse(Sources.SALES, Reasons.WRONG_FIELD_COUNT, null, "o3,c1,p1,2,25.5,EUR"),
            parse(
                Sources.SALES,
                Reasons.MALFORMED_CSV,
                null,
                "\"o4,c1,p1,2,25.5,EUR,2026-01-05T10:00:00Z"),
            parse(
                Sources.SALES,
                Reasons.WRONG_TYPE,
                EIGHT_UTC,
                "o5,c1,p1,x,25.5,EUR,2026-01-05T10:00:00+02:00"),
            parse(
                Sources.SALES,
                Reasons.UNPARSEABLE_TIMESTAMP,
                null,
                "o6,c1,p1,2,25.5,EUR,05/01/2026"),
            parse(
                Sources.SALES,
                Reasons.MISSING_REQUIRED_FIELD,
                EIGHT_UTC,
                "o7,c1,,2,25.5,EUR,2026-01-05T10:00:00+02:00"));
    pipeline.run();
  }

  @Test
  public void ordersJsonAreTheSameOrdersAsSales() {
    String wrongAmount = OrderJsonParserTest.GOOD.replace("\"amount\":25.5", "\"amount\":\"25.5\"");
    WithFailures.Result<PCollection<Order>, DeadLetter> result =
        pipeline
            .apply(
                Create.of(OrderJsonParserTest.GOOD, wrongAmount, "{oops}")
                    .withCoder(StringUtf8Coder.of()))
            .apply(TestLines.utf8())
            .apply(Parse.ordersJson());

    PAssert.that(result.output()).containsInAnyOrder(OrderCsvParserTest.order("o1", 2, 25.5));
    PAssert.that(summarise(result.failures()))
        .containsInAnyOrder(
            parse(Sources.ORDERS, Reasons.WRONG_TYPE, EIGHT_UTC, wrongAmount),
            parse(Sources.ORDERS, Reasons.MALFORMED_JSON, null, "{oops}"));
    pipeline.run();
  }

  @Test
  public void profilesSkipTheHeader() {
    WithFailures.Result<PCollection<Profile>, DeadLetter> result =
        pipeline
            .apply(
                Create.of(
                        "customer_id,age,gender,country,signup_date\r",
                        "c1,34,F,DE,2024-03-01\r",
                        "c2,34,F,DE,2024-13-01",
                        "c3,old,F,DE,2024-03-01")
                    .withCoder(StringUtf8Coder.of()))
            .apply(TestLines.utf8())
            .apply(Parse.profiles());

    PAssert.that(result.output())
        .containsInAnyOrder(
            Profile.newBuilder()
                .setCustomerId("c1")
                .setAge(34)
                .setGender("F")
                .setCountry("DE")
                .setSignupDate((int) LocalDate.of(2024, 3, 1).toEpochDay())
                .build());
    PAssert.that(summarise(result.failures()))
        .containsInAnyOrder(
            parse(Sources.PROFILES, Reasons.UNPARSEABLE_TIMESTAMP, null, "c2,34,F,DE,2024-13-01"),
            parse(Sources.PROFILES, Reasons.WRONG_TYPE, null, "c3,old,F,DE,2024-03-01"));
    pipeline.run();
  }

  @Test
  public void responsesSkipTheHeader() {
    WithFailures.Result<PCollection<PromoResponse>, DeadLetter> result =
        pipeline
            .apply(
                Create.of(
                        "promo_id,customer_id,sent_time,responded",
                        "pr1,c1,2026-01-05T10:00:00+02:00,0",
                        "pr2,c1,2026-01-05T10:00:00+02:00,no")
                    .withCoder(StringUtf8Coder.of()))
            .apply(TestLines.utf8())
            .apply(Parse.responses());

    PAssert.that(result.output())
        .containsInAnyOrder(
            PromoResponse.newBuilder()
                .setPromoId("pr1")
                .setCustomerId("c1")
                .setSentTime(EIGHT_UTC)
                .setResponded(0)
                .build());
    PAssert.that(summarise(result.failures()))
        .containsInAnyOrder(
            parse(
                Sources.RESPONSES,
                Reasons.WRONG_TYPE,
                EIGHT_UTC,
                "pr2,c1,2026-01-05T10:00:00+02:00,no"));
    pipeline.run();
  }

  @Test
  public void tooLongLinesAreDeadLettersAndEveryOutcomeIsCounted() {
    String longButValid = OrderCsvParserTest.GOOD; // 45 bytes
    String tooLong = "o1,c1,p1,2,25.5,EUR,2026-01-05T10:00:00+02:00,and,far,too,much";
    String tooLongUtf8 = "ö".repeat(30); // 30 chars, 60 bytes
    assertEquals(45, longButValid.length());
    WithFailures.Result<PCollection<Order>, DeadLetter> result =
        pipeline
            .apply(
                Create.of(
                        OrderCsvParserTest.HEADER.substring(0, 45),
                        OrderCsvParserTest.HEADER,
                        longButValid,
                        tooLong,
                        tooLongUtf8,
                        "")
                    .withCoder(StringUtf8Coder.of()))
            .apply(TestLines.utf8())
            .apply(Parse.sales().withMaxLineBytes(50));

    PAssert.that(result.output()).containsInAnyOrder(OrderCsvParserTest.order("o1", 2, 25.5));
    PAssert.that(summarise(result.failures()))
        .containsInAnyOrder(
            parse(
                Sources.SALES,
                Reasons.WRONG_FIELD_COUNT,
                null,
                OrderCsvParserTest.HEADER.substring(0, 45)),
            parse(Sources.SALES, Reasons.LINE_TOO_LONG, null, OrderCsvParserTest.HEADER),
            parse(Sources.SALES, Reasons.LINE_TOO_LONG, null, tooLong),
            parse(Sources.SALES, Reasons.LINE_TOO_LONG, null, tooLongUtf8),
            parse(Sources.SALES, Reasons.BLANK_LINE, null, ""));
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();

    Map<String, Long> counters = new HashMap<>();
    for (MetricResult<Long> counter :
        run.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(Parse.METRICS_NAMESPACE))
                    .build())
            .getCounters()) {
      counters.merge(counter.getName().getName(), counter.getAttempted(), Long::sum);
    }
    assertEquals(
        Map.of(
            "sales.parsed", 1L,
            "sales.wrong_field_count", 1L,
            "sales.line_too_long", 3L,
            "sales.blank_line", 1L),
        counters);
  }

  @Test
  public void headersAreCounted() {
    pipeline
        .apply(
            Create.of(OrderCsvParserTest.HEADER, OrderCsvParserTest.HEADER, OrderCsvParserTest.GOOD)
                .withCoder(StringUtf8Coder.of()))
        .apply(TestLines.utf8())
        .apply(Parse.sales());
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    List<String> seen = new ArrayList<>();
    for (MetricResult<Long> counter :
        run.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(Parse.METRICS_NAMESPACE, "sales.header_lines"))
                    .build())
            .getCounters()) {
      seen.add(counter.getName().getName() + "=" + counter.getAttempted());
    }
    assertEquals(Arrays.asList("sales.header_lines=2"), seen);
    assertEquals("header rows are not records in", 1L, salesRecordsIn(run));
  }

  @Test
  public void everyLineButHeadersIsARecordInWhateverBecomesOfIt() {
    pipeline
        .apply(
            Create.of(
                    OrderCsvParserTest.HEADER,
                    OrderCsvParserTest.GOOD,
                    "",
                    "x,y",
                    OrderCsvParserTest.GOOD)
                .withCoder(StringUtf8Coder.of()))
        .apply(TestLines.utf8())
        .apply(Parse.sales());
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    assertEquals(4L, salesRecordsIn(run));
  }

  private static long salesRecordsIn(PipelineResult run) {
    long total = 0;
    for (MetricResult<Long> counter :
        run.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(
                            PipelineMetrics.NAMESPACE, "records_in{source=sales}"))
                    .build())
            .getCounters()) {
      total += counter.getAttempted();
    }
    return total;
  }

  @Test(expected = IllegalArgumentException.class)
  public void rejectsNonPositiveLimit() {
    Parse.clicks().withMaxLineBytes(0);
  }

  private static String parse(String source, String reason, @Nullable Long eventTime, String raw) {
    return DeadLetterSummaries.summary(source, Steps.PARSE, reason, eventTime, raw);
  }
}
