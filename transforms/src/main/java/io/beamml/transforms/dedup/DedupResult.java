package io.beamml.transforms.dedup;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * What {@link Dedup} returns: the first arrival of every id, and every later arrival on its own
 * output, so that duplicates are counted and can be inspected instead of vanishing.
 */
public final class DedupResult<T> implements PInput, POutput {

  private final Pipeline pipeline;
  private final TupleTag<T> uniqueTag;
  private final PCollection<T> unique;
  private final TupleTag<T> duplicatesTag;
  private final PCollection<T> duplicates;

  private DedupResult(
      Pipeline pipeline,
      TupleTag<T> uniqueTag,
      PCollection<T> unique,
      TupleTag<T> duplicatesTag,
      PCollection<T> duplicates) {
    this.pipeline = pipeline;
    this.uniqueTag = uniqueTag;
    this.unique = unique;
    this.duplicatesTag = duplicatesTag;
    this.duplicates = duplicates;
  }

  static <T> DedupResult<T> in(
      PCollectionTuple outputs, TupleTag<T> uniqueTag, TupleTag<T> duplicatesTag) {
    return new DedupResult<>(
        outputs.getPipeline(),
        uniqueTag,
        outputs.get(uniqueTag),
        duplicatesTag,
        outputs.get(duplicatesTag));
  }

  /** The first arrival of each id (within the horizon). */
  public PCollection<T> unique() {
    return unique;
  }

  /** Every later arrival of an id already seen within the horizon. */
  public PCollection<T> duplicates() {
    return duplicates;
  }

  @Override
  public Pipeline getPipeline() {
    return pipeline;
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    Map<TupleTag<?>, PValue> outputs = new LinkedHashMap<>();
    outputs.put(uniqueTag, unique);
    outputs.put(duplicatesTag, duplicates);
    return outputs;
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
