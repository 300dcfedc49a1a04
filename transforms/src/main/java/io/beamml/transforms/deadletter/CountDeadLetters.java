package io.beamml.transforms.deadletter;

import io.beamml.schemas.DeadLetter;
import io.beamml.transforms.metrics.PipelineMetrics;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Counts dead letters as they pass, per source, step and reason ({@link
 * PipelineMetrics#deadLetters}), and passes them on unchanged. Applied once per pipeline, where all
 * its dead letters meet before the sink, so every dead letter is counted exactly once.
 */
public final class CountDeadLetters
    extends PTransform<PCollection<DeadLetter>, PCollection<DeadLetter>> {

  private CountDeadLetters() {}

  public static CountDeadLetters create() {
    return new CountDeadLetters();
  }

  @Override
  public PCollection<DeadLetter> expand(PCollection<DeadLetter> deadLetters) {
    return deadLetters
        .apply("CountPerSourceStepReason", ParDo.of(new CountFn()))
        .setCoder(deadLetters.getCoder());
  }

  private static final class CountFn extends DoFn<DeadLetter, DeadLetter> {
    private transient Map<String, Counter> counters;

    @ProcessElement
    public void process(@Element DeadLetter d, OutputReceiver<DeadLetter> out) {
      if (counters == null) {
        counters = new HashMap<>();
      }
      String key = d.getSource() + '\u0000' + d.getStep() + '\u0000' + d.getReason();
      counters
          .computeIfAbsent(
              key, k -> PipelineMetrics.deadLetters(d.getSource(), d.getStep(), d.getReason()))
          .inc();
      out.output(d);
    }
  }
}
