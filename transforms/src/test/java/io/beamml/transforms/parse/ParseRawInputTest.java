package io.beamml.transforms.parse;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.DeadLetter;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.metrics.PipelineMetrics;
import io.beamml.transforms.validate.ContractRules;
import io.beamml.transforms.validate.Validate;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

/**
 * Parse keeps the input as read: invalid UTF-8 is refused with its bytes kept, and a record that
 * breaks a contract rule is refused with its line, not a re-rendering of the record.
 */
public class ParseRawInputTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  /** {@code text} with {@code invalid} spliced in where {@code marker} is. */
  static byte[] withBytes(String text, String marker, int... invalid) {
    int at = text.indexOf(marker);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(text.substring(0, at).getBytes(StandardCharsets.UTF_8));
    for (int b : invalid) {
      out.write(b);
    }
    out.writeBytes(text.substring(at + marker.length()).getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  @Test
  public void invalidUtf8IsADeadLetterKeepingTheExactBytesInEverySource() {
    String click = ClickJsonParserTest.GOOD.replace("\"c1\"", "\"C000#1\"");
    String sale = OrderCsvParserTest.GOOD.replace(",c1,", ",C000#1,");
    String profile = "C000#1,34,F,DE,2024-03-01";
    String response = "pr1,C000#1,2026-01-05T10:00:00+02:00,0";
    List<byte[]> clicks = List.of(withBytes(click, "#", 0xff), withBytes(click, "#", 0xfe));
    List<byte[]> sales = List.of(withBytes(sale, "#", 0xff), withBytes(sale, "#", 0xc3, 0x28));
    List<byte[]> profiles =
        List.of(withBytes(profile, "#", 0xff), withBytes(profile, "#", 0xe2, 0x82));
    List<byte[]> responses =
        List.of(withBytes(response, "#", 0xfe), withBytes(response, "#", 0xed, 0xa0, 0x80));

    List<byte[]> all = new ArrayList<>();
    all.addAll(clicks);
    all.addAll(sales);
    all.addAll(profiles);
    all.addAll(responses);
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
    deadLetters.add(parsed("Clicks", clicks, Parse.clicks()));
    deadLetters.add(parsed("Sales", sales, Parse.sales()));
    deadLetters.add(parsed("Profiles", profiles, Parse.profiles()));
    deadLetters.add(parsed("Responses", responses, Parse.responses()));

    for (PCollection<DeadLetter> letters : deadLetters) {
      PAssert.that(letters)
          .satisfies(
              found -> {
                int n = 0;
                for (DeadLetter d : found) {
                  n++;
                  assertEquals(Steps.PARSE, d.getStep());
                  assertEquals(Reasons.INVALID_UTF8, d.getReason());
                  assertNotNull("invalid UTF-8 keeps its bytes", d.getRawBase64());
                  byte[] original = Base64.getDecoder().decode(d.getRawBase64());
                  assertTrue(
                      "base64 gives back one of the lines read exactly",
                      all.stream().anyMatch(line -> java.util.Arrays.equals(line, original)));
                  assertEquals(new String(original, StandardCharsets.UTF_8), d.getRaw());
                  assertEquals(false, d.getRawTruncated());
                }
                assertEquals("both lines refused, none merged into the other", 2, n);
                return null;
              });
    }
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    Map<String, Long> counters = counters(run);
    for (String source :
        List.of(Sources.CLICKS, Sources.SALES, Sources.PROFILES, Sources.RESPONSES)) {
      assertEquals(source, Long.valueOf(2), counters.get(source + "." + Reasons.INVALID_UTF8));
      assertEquals(source, Long.valueOf(2), counters.get("records_in{source=" + source + "}"));
    }
  }

  private <T> PCollection<DeadLetter> parsed(String name, List<byte[]> lines, Parse<T> parse) {
    WithFailures.Result<PCollection<T>, DeadLetter> result =
        pipeline
            .apply("Create" + name, Create.of(lines).withCoder(ByteArrayCoder.of()))
            .apply("Parse" + name, parse);
    PAssert.that(result.output().apply("Count" + name, Count.globally())).containsInAnyOrder(0L);
    return result.failures();
  }

  @Test
  public void aRealReplacementCharacterIsValidText() throws ParseFailure {
    String click = ClickJsonParserTest.GOOD.replace("\"c1\"", "\"c\uFFFD1\"");
    byte[] bytes = click.getBytes(StandardCharsets.UTF_8);
    assertEquals(click, Utf8.decodeStrict(bytes));
    assertNull(Utf8.decodeStrict(withBytes(click, "\uFFFD", 0xef, 0xbf)));
    assertEquals("c\uFFFD1", new ClickJsonParser().parse(Utf8.decodeStrict(bytes)).getCustomerId());
  }

  @Test
  public void invalidBytesOfAnOverlongLineAreKeptToo() {
    byte[] line = withBytes("x".repeat(60) + "#", "#", 0xff);
    PCollection<DeadLetter> letters =
        pipeline
            .apply(Create.of(List.of(line)).withCoder(ByteArrayCoder.of()))
            .apply(Parse.sales().withMaxLineBytes(50))
            .failures();
    PAssert.thatSingleton(letters)
        .satisfies(
            d -> {
              assertEquals(Reasons.LINE_TOO_LONG, d.getReason());
              assertArrayEquals(line, Base64.getDecoder().decode(d.getRawBase64()));
              return null;
            });
    pipeline.run();
  }

  @Test
  public void validateInParseKeepsTheLineAsReadForCsvAndJson() {
    String sale = "o9,c1,p1,2,25.5,EUR,9999-12-31T23:59:59Z";
    String click = ClickJsonParserTest.GOOD.replace("\"price\":12.5", "\"price\":-1");
    String profile = "c1,130,F,DE,2024-03-01";
    ContractRules rules = ContractRules.defaults();
    PCollection<DeadLetter> sales =
        refused(
            "Sales",
            Parse.sales().thenValidate(Validate.sales(rules)),
            sale,
            OrderCsvParserTest.GOOD);
    PCollection<DeadLetter> clicks =
        refused("Clicks", Parse.clicks().thenValidate(Validate.clicks(rules)), click);
    PCollection<DeadLetter> profiles =
        refused("Profiles", Parse.profiles().thenValidate(Validate.profiles(rules)), profile);
    PAssert.that(DeadLetterSummaries.summarise(sales))
        .containsInAnyOrder(
            DeadLetterSummaries.summary(
                Sources.SALES,
                Steps.VALIDATE,
                ContractRules.EVENT_TIME_PLAUSIBLE,
                253402300799000L,
                sale));
    PAssert.that(clicks.apply("SummariseClicks", new Summaries()))
        .containsInAnyOrder(
            DeadLetterSummaries.summary(
                Sources.CLICKS,
                Steps.VALIDATE,
                ContractRules.PRICE_NOT_NEGATIVE,
                ClickJsonParserTest.EIGHT_UTC,
                click));
    PAssert.that(profiles.apply("SummariseProfiles", new Summaries()))
        .containsInAnyOrder(
            DeadLetterSummaries.summary(
                Sources.PROFILES, Steps.VALIDATE, ContractRules.AGE_IN_RANGE, null, profile));
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    Map<String, Long> counters = counters(run);
    assertEquals(Long.valueOf(1), counters.get("sales.valid"));
    assertEquals(Long.valueOf(1), counters.get("sales." + ContractRules.EVENT_TIME_PLAUSIBLE));
    assertEquals(Long.valueOf(2), counters.get("sales.parsed"));
  }

  private <T> PCollection<DeadLetter> refused(String name, Parse<T> parse, String... lines) {
    return pipeline
        .apply(name, Create.of(List.of(lines)).withCoder(StringUtf8Coder.of()))
        .apply(name + "Bytes", TestLines.utf8())
        .apply("Parse" + name, parse)
        .failures();
  }

  /** {@link DeadLetterSummaries#summarise} under a name of its own, to apply it more than once. */
  private static final class Summaries
      extends org.apache.beam.sdk.transforms.PTransform<
          PCollection<DeadLetter>, PCollection<String>> {
    @Override
    public PCollection<String> expand(PCollection<DeadLetter> deadLetters) {
      return DeadLetterSummaries.summarise(deadLetters);
    }
  }

  private static Map<String, Long> counters(PipelineResult run) {
    Map<String, Long> counters = new HashMap<>();
    for (MetricResult<Long> counter :
        run.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters()) {
      String namespace = counter.getName().getNamespace();
      if (namespace.equals(Parse.METRICS_NAMESPACE)
          || namespace.equals(Validate.METRICS_NAMESPACE)
          || namespace.equals(PipelineMetrics.NAMESPACE)) {
        counters.merge(counter.getName().getName(), counter.getAttempted(), Long::sum);
      }
    }
    return counters;
  }
}
