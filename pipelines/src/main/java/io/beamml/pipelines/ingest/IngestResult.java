package io.beamml.pipelines.ingest;

import io.beamml.schemas.DeadLetter;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What one source yields after ingestion: the pseudonymised records, the records that were
 * duplicates (raw, uncounted elsewhere) and every dead letter of parse and validate.
 */
public final class IngestResult<T, R> implements PInput, POutput {

  private static final TupleTag<Object> RECORDS = new TupleTag<>("records");
  private static final TupleTag<Object> DUPLICATES = new TupleTag<>("duplicates");
  private static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>("deadLetters");
  private static final TupleTag<Long> RECORDS_IN = new TupleTag<>("recordsIn");

  private final PCollection<T> records;
  private final PCollection<R> duplicates;
  private final PCollection<DeadLetter> deadLetters;
  private final @Nullable PCollection<Long> recordsIn;

  IngestResult(
      PCollection<T> records,
      PCollection<R> duplicates,
      PCollection<DeadLetter> deadLetters,
      @Nullable PCollection<Long> recordsIn) {
    this.records = records;
    this.duplicates = duplicates;
    this.deadLetters = deadLetters;
    this.recordsIn = recordsIn;
  }

  /**
   * For a bounded input, the records parse read (lines other than header rows) as partial counts to
   * be summed; null for an unbounded one.
   */
  public @Nullable PCollection<Long> recordsIn() {
    return recordsIn;
  }

  public PCollection<T> records() {
    return records;
  }

  public PCollection<R> duplicates() {
    return duplicates;
  }

  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
  }

  @Override
  public Pipeline getPipeline() {
    return records.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return recordsIn == null
        ? Map.of(RECORDS, records, DUPLICATES, duplicates, DEAD_LETTERS, deadLetters)
        : Map.of(
            RECORDS,
            records,
            DUPLICATES,
            duplicates,
            DEAD_LETTERS,
            deadLetters,
            RECORDS_IN,
            recordsIn);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
