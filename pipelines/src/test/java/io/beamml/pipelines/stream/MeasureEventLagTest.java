package io.beamml.pipelines.stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.schemas.Prediction;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

public class MeasureEventLagTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  @Test
  public void recordsNowLessEventTimeAndPassesPredictionsOn() {
    long now = System.currentTimeMillis();
    List<Prediction> input = List.of(prediction("e1", now - 5_000), prediction("e2", now - 1_000));
    PCollection<Prediction> out =
        pipeline
            .apply(Create.of(input).withCoder(AvroCoder.specific(Prediction.class)))
            .apply(MeasureEventLag.create());
    PAssert.that(out).containsInAnyOrder(input);
    PipelineResult run = pipeline.run();
    run.waitUntilFinish();
    long after = System.currentTimeMillis();

    List<DistributionResult> lags = new ArrayList<>();
    for (MetricResult<DistributionResult> d :
        run.metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(
                        MetricNameFilter.named(StreamCounters.NAMESPACE, MeasureEventLag.LAG))
                    .build())
            .getDistributions()) {
      lags.add(d.getAttempted());
    }
    assertEquals(1, lags.size());
    DistributionResult lag = lags.get(0);
    assertEquals(2, lag.getCount());
    assertTrue("min " + lag.getMin(), lag.getMin() >= 1_000 && lag.getMin() <= after - now + 1_000);
    assertTrue("max " + lag.getMax(), lag.getMax() >= 5_000 && lag.getMax() <= after - now + 5_000);
  }

  private static Prediction prediction(String id, long eventTime) {
    return Prediction.newBuilder()
        .setEventId(id)
        .setCustomerKey("k")
        .setEventTime(eventTime)
        .setScore(0.5)
        .setModelName("promo")
        .setModelVersion("1")
        .setVariant("champion")
        .setSpecFingerprint("0123456789abcdef")
        .build();
  }
}
