package io.beamml.transforms.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

public class CountRecordsInTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void countsEveryRecordUnderItsSourceAndPassesItOn() {
    PCollection<String> out =
        pipeline
            .apply(Create.of(List.of("a", "b", "c")).withCoder(StringUtf8Coder.of()))
            .apply(CountRecordsIn.of("features"));
    assertEquals(StringUtf8Coder.of(), out.getCoder());
    PAssert.that(out).containsInAnyOrder("a", "b", "c");
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    long total = 0;
    for (MetricResult<Long> c :
        run.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(
                            PipelineMetrics.NAMESPACE, "records_in{source=features}"))
                    .build())
            .getCounters()) {
      total += c.getAttempted();
    }
    assertEquals(3L, total);
  }

  @Test
  public void needsASource() {
    assertThrows(IllegalArgumentException.class, () -> CountRecordsIn.of(" "));
  }
}
