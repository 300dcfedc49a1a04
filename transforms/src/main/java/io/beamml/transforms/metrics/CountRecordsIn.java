package io.beamml.transforms.metrics;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Counts records as they enter a job as {@link PipelineMetrics#recordsIn} of one source and passes
 * them on unchanged: for records read as records (stored feature rows), which do not come through
 * {@code Parse}, the door that counts text lines.
 */
public final class CountRecordsIn<T> extends PTransform<PCollection<T>, PCollection<T>> {

  private final String source;

  private CountRecordsIn(String source) {
    this.source = source;
  }

  public static <T> CountRecordsIn<T> of(String source) {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("source must be named");
    }
    return new CountRecordsIn<>(source);
  }

  @Override
  public PCollection<T> expand(PCollection<T> records) {
    return records
        .apply("CountRecords", ParDo.of(new CountFn<T>(source)))
        .setCoder(records.getCoder());
  }

  private static final class CountFn<T> extends DoFn<T, T> {
    private final Counter recordsIn;

    CountFn(String source) {
      this.recordsIn = PipelineMetrics.recordsIn(source);
    }

    @ProcessElement
    public void process(@Element T record, OutputReceiver<T> out) {
      recordsIn.inc();
      out.output(record);
    }
  }
}
