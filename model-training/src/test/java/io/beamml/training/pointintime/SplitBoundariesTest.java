package io.beamml.training.pointintime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.beamml.training.data.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.Test;

public class SplitBoundariesTest {

  private static long[] times(int n) {
    return LongStream.range(0, n).map(i -> 1000 + 10 * i).toArray();
  }

  @Test
  public void cutsTheLatestDistinctTimesIntoTestAndTheOnesBeforeIntoValidation() {
    SplitBoundaries b = SplitBoundaries.fromDistinctTimes(times(20), 0.15, 0.15);
    assertEquals(SplitBoundaries.of(1140, 1170), b);
    assertEquals(Split.train, b.splitOf(1130));
    assertEquals(Split.train, b.splitOf(1139));
    assertEquals(Split.validation, b.splitOf(1140));
    assertEquals(Split.validation, b.splitOf(1169));
    assertEquals(Split.test, b.splitOf(1170));
  }

  @Test
  public void roundsToTheNearestCount() {
    // 38 send times: 5.7 rounds to 6 each.
    SplitBoundaries b = SplitBoundaries.fromDistinctTimes(times(38), 0.15, 0.15);
    assertEquals(counts(times(38), b), List.of(26L, 6L, 6L));
  }

  @Test
  public void smallSetsKeepATrainRowAndEmptyOnesPutEverythingInTrain() {
    assertEquals(
        List.of(0L, 0L, 0L),
        counts(times(0), SplitBoundaries.fromDistinctTimes(times(0), 0.15, 0.15)));
    assertEquals(
        List.of(1L, 0L, 0L),
        counts(times(1), SplitBoundaries.fromDistinctTimes(times(1), 0.4, 0.4)));
    // 0.5 + 0.5 rounds to both: train takes its one back from validation.
    assertEquals(
        List.of(1L, 0L, 1L),
        counts(times(2), SplitBoundaries.fromDistinctTimes(times(2), 0.25, 0.25)));
    assertEquals(
        List.of(2L, 1L, 1L),
        counts(times(4), SplitBoundaries.fromDistinctTimes(times(4), 0.25, 0.25)));
    assertEquals(
        List.of(10L, 0L, 0L),
        counts(times(10), SplitBoundaries.fromDistinctTimes(times(10), 0, 0)));
    assertEquals(
        Split.train,
        SplitBoundaries.fromDistinctTimes(times(0), 0.15, 0.15).splitOf(Long.MAX_VALUE - 1));
  }

  @Test
  public void rejectsBadFractionsAndUnsortedTimes() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SplitBoundaries.fromDistinctTimes(times(5), 0.5, 0.5));
    assertThrows(
        IllegalArgumentException.class, () -> SplitBoundaries.fromDistinctTimes(times(5), 1.0, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> SplitBoundaries.fromDistinctTimes(times(5), 0, Double.NaN));
    assertThrows(
        IllegalArgumentException.class,
        () -> SplitBoundaries.fromDistinctTimes(new long[] {3, 2}, 0.1, 0.1));
    assertThrows(
        IllegalArgumentException.class,
        () -> SplitBoundaries.fromDistinctTimes(new long[] {2, 2}, 0.1, 0.1));
    assertThrows(IllegalArgumentException.class, () -> SplitBoundaries.of(10, 5));
  }

  /** However a runner partitions and merges, the combine sees the same set and cuts the same. */
  @Test
  public void combineIsIndependentOfPartitioningAndRepeats() {
    SplitBoundariesFn fn = new SplitBoundariesFn(0.15, 0.15);
    List<Long> all = new ArrayList<>();
    for (long t : times(40)) {
      all.add(t);
    }
    List<Long> one = fn.createAccumulator();
    all.forEach(t -> fn.addInput(one, t));
    SplitBoundaries expected = fn.extractOutput(one);

    List<List<Long>> parts = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      parts.add(fn.createAccumulator());
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      fn.addInput(parts.get(i % 3), all.get(i));
      fn.addInput(parts.get((i + 1) % 3), all.get(i)); // each time seen twice, in another part
    }
    List<Long> merged =
        fn.mergeAccumulators(List.of(fn.compact(parts.get(2)), parts.get(0), parts.get(1)));
    assertEquals(expected, fn.extractOutput(merged));
    assertEquals(40, merged.size());
    assertEquals(SplitBoundaries.fromDistinctTimes(times(40), 0.15, 0.15), expected);
  }

  private static List<Long> counts(long[] times, SplitBoundaries b) {
    long[] n = new long[3];
    for (long t : times) {
      n[b.splitOf(t).ordinal()]++;
    }
    return List.of(n[0], n[1], n[2]);
  }
}
