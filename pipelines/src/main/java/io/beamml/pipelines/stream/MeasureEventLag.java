package io.beamml.pipelines.stream;

import io.beamml.schemas.Prediction;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Records how far behind the events the job's predictions are: for each prediction, the wall clock
 * now less its event time, as the distribution {@value #LAG} in namespace {@link
 * StreamCounters#NAMESPACE} (exported as {@code beamml_stream_event_to_prediction_lag_millis}).
 * Passes every prediction on unchanged. A replay of old events shows their age, not the job's
 * delay: the figure is meant for a live feed.
 */
public final class MeasureEventLag
    extends PTransform<PCollection<Prediction>, PCollection<Prediction>> {

  public static final String LAG = "event_to_prediction_lag_millis";

  private MeasureEventLag() {}

  public static MeasureEventLag create() {
    return new MeasureEventLag();
  }

  @Override
  public PCollection<Prediction> expand(PCollection<Prediction> predictions) {
    return predictions.apply("RecordLag", ParDo.of(new LagFn())).setCoder(predictions.getCoder());
  }

  private static final class LagFn extends DoFn<Prediction, Prediction> {
    private final Distribution lag = Metrics.distribution(StreamCounters.NAMESPACE, LAG);

    @ProcessElement
    public void process(@Element Prediction prediction, OutputReceiver<Prediction> out) {
      lag.update(System.currentTimeMillis() - prediction.getEventTime());
      out.output(prediction);
    }
  }
}
