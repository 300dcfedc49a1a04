package io.beamml.transforms.deadletter;

import static org.junit.Assert.assertEquals;

import io.beamml.schemas.DeadLetter;
import io.beamml.transforms.metrics.PipelineMetrics;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

public class CountDeadLettersTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void countsPerSourceStepAndReasonAndPassesEveryDeadLetterOn() {
    List<DeadLetter> input =
        List.of(
            DeadLetters.of(Sources.CLICKS, Steps.PARSE, Reasons.BLANK_LINE, "blank", "", null),
            DeadLetters.of(Sources.CLICKS, Steps.PARSE, Reasons.BLANK_LINE, "blank", "", null),
            DeadLetters.of(Sources.CLICKS, Steps.VALIDATE, "price_not_negative", "price", "{}", 5L),
            DeadLetters.of(Sources.SALES, Steps.PARSE, Reasons.BLANK_LINE, "blank", "", null));
    PCollection<DeadLetter> out =
        pipeline
            .apply(Create.of(input).withCoder(DeadLetters.coder()))
            .apply(CountDeadLetters.create());

    assertEquals(DeadLetters.coder(), out.getCoder());
    PAssert.that(out).containsInAnyOrder(input);
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();

    Map<String, Long> counters = new TreeMap<>();
    for (MetricResult<Long> c :
        run.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(PipelineMetrics.NAMESPACE))
                    .build())
            .getCounters()) {
      counters.merge(c.getName().getName(), c.getAttempted(), Long::sum);
    }
    assertEquals(
        Map.of(
            "dead_letters{source=clicks,step=parse,reason=blank_line}", 2L,
            "dead_letters{source=clicks,step=validate,reason=price_not_negative}", 1L,
            "dead_letters{source=sales,step=parse,reason=blank_line}", 1L),
        counters);
  }
}
