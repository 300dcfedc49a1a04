package io.beamml.pipelines.summary;

import io.beamml.pipelines.progress.LogProgress;
import io.beamml.schemas.DeadLetter;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Turns a step's output into summary counts keyed {@code source/metric}. The run summary is
 * computed from the records themselves, so its table and the files on disk cannot disagree.
 */
public final class SummaryCounts {

  public static final String RECORDS_IN = "records_in";
  public static final String RECORDS_OUT = "records_out";
  public static final String DUPLICATES = "duplicates";
  public static final String DEAD_LETTERS = "dead_letters";

  private SummaryCounts() {}

  public static String key(String source, String metric) {
    return source + "/" + metric;
  }

  /** Counts all elements of a collection as {@code source/metric} (0 for an empty one). */
  public static <T> PTransform<PCollection<T>, PCollection<KV<String, Long>>> of(
      String source, String metric) {
    return new PTransform<PCollection<T>, PCollection<KV<String, Long>>>() {
      @Override
      public PCollection<KV<String, Long>> expand(PCollection<T> input) {
        return input
            .apply("IntoGlobalWindow", Window.<T>into(new GlobalWindows()))
            .apply("CountPerBundle", ParDo.of(new CountPerBundleFn<T>(r -> metric, null)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
            .apply("PartialCounts", Values.create())
            .apply("SumPartialCounts", sum(source, metric));
      }
    };
  }

  /** Sums partial counts (one per bundle, say) as {@code source/metric} (0 for none). */
  public static PTransform<PCollection<Long>, PCollection<KV<String, Long>>> sum(
      String source, String metric) {
    String key = key(source, metric);
    return new PTransform<PCollection<Long>, PCollection<KV<String, Long>>>() {
      @Override
      public PCollection<KV<String, Long>> expand(PCollection<Long> input) {
        return input
            .apply("IntoGlobalWindow", Window.<Long>into(new GlobalWindows()))
            .apply("SumAll", Sum.longsGlobally())
            .apply(
                "KeyCount",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                    .via(n -> KV.of(key, n)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
      }
    };
  }

  /**
   * Counts each record under the summary key {@code keyOf} gives it, in one pass (one step reading
   * the collection, however many keys), and ticks {@code progress} (see {@link LogProgress}) per
   * record. A key no record maps to is absent, which the summary reads as 0.
   */
  public static <T> PTransform<PCollection<T>, PCollection<KV<String, Long>>> perKey(
      SerializableFunction<T, String> keyOf, String progress) {
    return new PTransform<PCollection<T>, PCollection<KV<String, Long>>>() {
      @Override
      public PCollection<KV<String, Long>> expand(PCollection<T> input) {
        return input
            .apply("IntoGlobalWindow", Window.<T>into(new GlobalWindows()))
            .apply("CountPerBundle", ParDo.of(new CountPerBundleFn<>(keyOf, progress)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
            .apply("SumPerKey", Sum.longsPerKey())
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
      }
    };
  }

  /** Counts dead letters per source and reason as {@code source/dead_letters/reason}. */
  public static PTransform<PCollection<DeadLetter>, PCollection<KV<String, Long>>>
      deadLettersByReason() {
    return new PTransform<PCollection<DeadLetter>, PCollection<KV<String, Long>>>() {
      @Override
      public PCollection<KV<String, Long>> expand(PCollection<DeadLetter> input) {
        return input
            .apply("IntoGlobalWindow", Window.<DeadLetter>into(new GlobalWindows()))
            .apply(
                "CountPerBundle",
                ParDo.of(
                    new CountPerBundleFn<DeadLetter>(
                        d -> key(d.getSource(), DEAD_LETTERS + "/" + d.getReason()), null)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
            .apply("SumPerReason", Sum.longsPerKey())
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
      }
    };
  }

  /**
   * Counts a bundle's records per summary key and emits the partial counts when the bundle ends: a
   * handful of elements per bundle go on to the sum. Beam's {@code Count} would carry every record
   * into a combine, which Flink's batch runner sorts on the way in.
   */
  private static final class CountPerBundleFn<T> extends DoFn<T, KV<String, Long>> {
    private final SerializableFunction<T, String> keyOf;
    private final @Nullable String progress;
    private transient @Nullable Map<String, long[]> counts;

    CountPerBundleFn(SerializableFunction<T, String> keyOf, @Nullable String progress) {
      this.keyOf = keyOf;
      this.progress = progress;
    }

    @StartBundle
    public void startBundle() {
      counts = new HashMap<>();
    }

    @ProcessElement
    public void processElement(@Element T record) {
      if (progress != null) {
        LogProgress.tick(progress);
      }
      Objects.requireNonNull(counts).computeIfAbsent(keyOf.apply(record), k -> new long[1])[0]++;
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<String, long[]> count : Objects.requireNonNull(counts).entrySet()) {
        context.output(
            KV.of(count.getKey(), count.getValue()[0]),
            GlobalWindow.INSTANCE.maxTimestamp(),
            GlobalWindow.INSTANCE);
      }
      counts = null;
    }
  }
}
