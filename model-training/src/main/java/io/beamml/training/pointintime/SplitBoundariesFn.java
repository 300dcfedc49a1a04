package io.beamml.training.pointintime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Gathers the distinct send times of a training set and cuts them with {@link
 * SplitBoundaries#fromDistinctTimes}. Exact rather than approximate quantiles: the result depends
 * only on the set of send times, never on how a runner bundles or merges, so every runner splits
 * the same rows the same way. Holds one long per distinct send time (8 MB per million).
 */
final class SplitBoundariesFn extends Combine.CombineFn<Long, List<Long>, SplitBoundaries> {

  private static final long serialVersionUID = 1L;

  private final double validationFraction;
  private final double testFraction;

  SplitBoundariesFn(double validationFraction, double testFraction) {
    SplitBoundaries.checkFractions(validationFraction, testFraction);
    this.validationFraction = validationFraction;
    this.testFraction = testFraction;
  }

  @Override
  public List<Long> createAccumulator() {
    return new ArrayList<>();
  }

  @Override
  public List<Long> addInput(List<Long> accumulator, Long sentTime) {
    accumulator.add(sentTime);
    return accumulator;
  }

  @Override
  public List<Long> mergeAccumulators(Iterable<List<Long>> accumulators) {
    List<Long> merged = new ArrayList<>();
    for (List<Long> a : accumulators) {
      merged.addAll(a);
    }
    return compact(merged);
  }

  /** Sorted and without repeats, so an accumulator holds each send time once. */
  @Override
  public List<Long> compact(List<Long> accumulator) {
    long[] distinct = distinctSorted(accumulator);
    List<Long> out = new ArrayList<>(distinct.length);
    for (long t : distinct) {
      out.add(t);
    }
    return out;
  }

  @Override
  public SplitBoundaries extractOutput(List<Long> accumulator) {
    return SplitBoundaries.fromDistinctTimes(
        distinctSorted(accumulator), validationFraction, testFraction);
  }

  @Override
  public Coder<List<Long>> getAccumulatorCoder(CoderRegistry registry, Coder<Long> inputCoder) {
    return ListCoder.of(VarLongCoder.of());
  }

  @Override
  public Coder<SplitBoundaries> getDefaultOutputCoder(
      CoderRegistry registry, Coder<Long> inputCoder) {
    return SerializableCoder.of(SplitBoundaries.class);
  }

  private static long[] distinctSorted(List<Long> times) {
    long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
    int n = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[n - 1]) {
        sorted[n++] = sorted[i];
      }
    }
    return Arrays.copyOf(sorted, n);
  }
}
