package io.beamml.pipelines.summary;

import io.beamml.pipelines.progress.LogProgress;
import io.beamml.schemas.DeadLetter;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

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
    String key = key(source, metric);
    return new PTransform<PCollection<T>, PCollection<KV<String, Long>>>() {
      @Override
      public PCollection<KV<String, Long>> expand(PCollection<T> input) {
        return input
            .apply("IntoGlobalWindow", Window.<T>into(new GlobalWindows()))
            .apply("CountAll", Count.globally())
            .apply(
                "KeyCount",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                    .via(n -> KV.of(key, n)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
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
            .apply(
                "KeyBySummaryKey",
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        (T record) -> {
                          LogProgress.tick(progress);
                          return keyOf.apply(record);
                        }))
            .setCoder(StringUtf8Coder.of())
            .apply("CountPerKey", Count.perElement())
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
                "KeyBySourceAndReason",
                MapElements.into(TypeDescriptors.strings())
                    .via(d -> key(d.getSource(), DEAD_LETTERS + "/" + d.getReason())))
            .setCoder(StringUtf8Coder.of())
            .apply("CountPerReason", Count.perElement())
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
      }
    };
  }
}
