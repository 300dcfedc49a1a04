package io.beamml.pipelines.summary;

import io.beamml.pipelines.progress.LogProgress;
import io.beamml.schemas.DeadLetter;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Turns a step's output into summary counts keyed {@code source/metric}. The run summary is
 * computed from the records themselves, so its table and the files on disk cannot disagree.
 *
 * <p>Each transform here yields <em>partial</em> counts: one per key and bundle, whose sum per key
 * is the count. {@link RunSummary} adds them up in the one group it already makes, so a count costs
 * no combine of its own (on Flink's batch runner every combine is two sorting operators sharing the
 * slot's memory with the job's real groupings); {@link #totals()} sums them where one value per key
 * is wanted.
 */
public final class SummaryCounts {

  public static final String RECORDS_IN = "records_in";
  public static final String RECORDS_OUT = "records_out";
  public static final String DUPLICATES = "duplicates";
  public static final String DEAD_LETTERS = "dead_letters";

  private static final KvCoder<String, Long> CODER =
      KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());

  private SummaryCounts() {}

  public static String key(String source, String metric) {
    return source + "/" + metric;
  }

  /** Counts all elements of a collection as {@code source/metric} (present as 0 for none). */
  public static <T> PTransform<PCollection<T>, PCollection<KV<String, Long>>> of(
      String source, String metric) {
    String key = key(source, metric);
    return new PTransform<PCollection<T>, PCollection<KV<String, Long>>>() {
      @Override
      public PCollection<KV<String, Long>> expand(PCollection<T> input) {
        return withZero(
            input
                .apply("IntoGlobalWindow", Window.<T>into(new GlobalWindows()))
                .apply("CountPerBundle", ParDo.of(new CountPerBundleFn<T>(r -> key, null)))
                .setCoder(CODER),
            key);
      }
    };
  }

  /**
   * Keys partial counts someone else made (one per bundle, say) as {@code source/metric} (present
   * as 0 for none).
   */
  public static PTransform<PCollection<Long>, PCollection<KV<String, Long>>> sum(
      String source, String metric) {
    String key = key(source, metric);
    return new PTransform<PCollection<Long>, PCollection<KV<String, Long>>>() {
      @Override
      public PCollection<KV<String, Long>> expand(PCollection<Long> input) {
        return withZero(
            input
                .apply("IntoGlobalWindow", Window.<Long>into(new GlobalWindows()))
                .apply(
                    "KeyCount",
                    MapElements.into(
                            TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                        .via(n -> KV.of(key, n)))
                .setCoder(CODER),
            key);
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
            .setCoder(CODER);
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
            .setCoder(CODER);
      }
    };
  }

  /** The partial counts summed: one value per key. */
  public static PTransform<PCollection<KV<String, Long>>, PCollection<KV<String, Long>>> totals() {
    return new PTransform<PCollection<KV<String, Long>>, PCollection<KV<String, Long>>>() {
      @Override
      public PCollection<KV<String, Long>> expand(PCollection<KV<String, Long>> partials) {
        return partials.apply("SumPerKey", Sum.longsPerKey()).setCoder(CODER);
      }
    };
  }

  /**
   * {@code partials} and a 0 for {@code key}, so the key is in the summary even when no bundle
   * counted anything (a runner may run no bundle at all over an empty input).
   */
  private static PCollection<KV<String, Long>> withZero(
      PCollection<KV<String, Long>> partials, String key) {
    PCollection<KV<String, Long>> zero =
        partials.getPipeline().apply("Zero", Create.of(KV.of(key, 0L)).withCoder(CODER));
    return PCollectionList.of(partials).and(zero).apply("WithZero", Flatten.pCollections());
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
