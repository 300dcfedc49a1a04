package io.beamml.pipelines.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Another source's records in lists of up to {@code batchSize}, each read by the same reader over
 * the same split, so every record still comes out once. Why: a runner does a fixed amount of work
 * per element a source emits (Flink's batch runner gathers every step's metrics of the chained task
 * after each one), which for short records costs about as much as parsing them; a list of a few
 * hundred pays it once. Splitting at the start is the wrapped source's; dynamic splitting is
 * refused, since a list already emitted may hold records past any new split point.
 */
final class RecordBatchSource<T> extends BoundedSource<List<T>> {

  private static final long serialVersionUID = 1L;

  private final BoundedSource<T> source;
  private final int batchSize;

  RecordBatchSource(BoundedSource<T> source, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    this.source = source;
    this.batchSize = batchSize;
  }

  @Override
  public List<? extends BoundedSource<List<T>>> split(
      long desiredBundleSizeBytes, PipelineOptions options) throws Exception {
    List<RecordBatchSource<T>> splits = new ArrayList<>();
    for (BoundedSource<T> split : source.split(desiredBundleSizeBytes, options)) {
      splits.add(new RecordBatchSource<>(split, batchSize));
    }
    return splits;
  }

  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) throws Exception {
    return source.getEstimatedSizeBytes(options);
  }

  @Override
  public void validate() {
    source.validate();
  }

  @Override
  public Coder<List<T>> getOutputCoder() {
    return ListCoder.of(source.getOutputCoder());
  }

  @Override
  public BoundedReader<List<T>> createReader(PipelineOptions options) throws IOException {
    return new BatchReader<>(this, source.createReader(options));
  }

  private static final class BatchReader<T> extends BoundedReader<List<T>> {
    private final RecordBatchSource<T> source;
    private final BoundedReader<T> reader;
    private @Nullable List<T> current;
    private boolean more;

    BatchReader(RecordBatchSource<T> source, BoundedReader<T> reader) {
      this.source = source;
      this.reader = reader;
    }

    @Override
    public boolean start() throws IOException {
      more = reader.start();
      return fill();
    }

    @Override
    public boolean advance() throws IOException {
      return fill();
    }

    /** Takes up to a batch of records, from the one the reader stands on. */
    private boolean fill() throws IOException {
      if (!more) {
        current = null;
        return false;
      }
      List<T> batch = new ArrayList<>(source.batchSize);
      while (more && batch.size() < source.batchSize) {
        batch.add(reader.getCurrent());
        more = reader.advance();
      }
      current = batch;
      return true;
    }

    @Override
    public List<T> getCurrent() throws NoSuchElementException {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }

    @Override
    public BoundedSource<List<T>> getCurrentSource() {
      return source;
    }

    @Override
    public @Nullable Double getFractionConsumed() {
      return reader.getFractionConsumed();
    }

    @Override
    public @Nullable BoundedSource<List<T>> splitAtFraction(double fraction) {
      return null;
    }
  }
}
