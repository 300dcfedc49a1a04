package io.beamml.transforms.parse;

import io.beamml.schemas.DeadLetter;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What {@link Parse#countingRecordsIn} yields: the records, the dead letters, and how many records
 * (lines other than header rows) it read, as partial counts to be summed (one per bundle).
 */
public final class ParseResult<T> implements POutput {

  private final TupleTag<T> recordsTag;
  private final PCollection<T> records;
  private final TupleTag<DeadLetter> failuresTag;
  private final PCollection<DeadLetter> failures;
  private final TupleTag<Long> recordsInTag;
  private final PCollection<Long> recordsIn;

  ParseResult(
      TupleTag<T> recordsTag,
      PCollection<T> records,
      TupleTag<DeadLetter> failuresTag,
      PCollection<DeadLetter> failures,
      TupleTag<Long> recordsInTag,
      PCollection<Long> recordsIn) {
    this.recordsTag = recordsTag;
    this.records = records;
    this.failuresTag = failuresTag;
    this.failures = failures;
    this.recordsInTag = recordsInTag;
    this.recordsIn = recordsIn;
  }

  public PCollection<T> output() {
    return records;
  }

  public PCollection<DeadLetter> failures() {
    return failures;
  }

  /** Partial counts of the records read; their sum is the source's records in. */
  public PCollection<Long> recordsIn() {
    return recordsIn;
  }

  @Override
  public Pipeline getPipeline() {
    return records.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(recordsTag, records, failuresTag, failures, recordsInTag, recordsIn);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
