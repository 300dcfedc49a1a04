package io.beamml.training.quality;

import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Per day of send time, model version and variant: the quality of the scores the customers got
 * against whether they responded, one {@link QualityRow} per key and window. The caller picks the
 * windows: fixed daily windows on the send time in a stream (each fires when the watermark passes
 * its day), the global window in a batch run (one row per key for the whole run; the day is part of
 * the key either way). The combiner's accumulator is the exact {@link ScoreHistogram}, so partial
 * results merge without loss on any runner.
 *
 * <pre>{@code
 * PCollection<QualityRow> rows = scored
 *     .apply(Window.into(FixedWindows.of(Duration.standardDays(1))))
 *     .apply("MeasureQuality", MeasureQuality.daily().withMinPositives(30).withTestAuc(testAucs));
 * }</pre>
 */
public final class MeasureQuality
    extends PTransform<PCollection<LabelledScore>, PCollection<QualityRow>> {

  public static final long DEFAULT_MIN_POSITIVES = 30;

  private final long minPositives;
  private final Map<String, Double> testAuc;

  private MeasureQuality(long minPositives, Map<String, Double> testAuc) {
    this.minPositives = minPositives;
    this.testAuc = testAuc;
  }

  public static MeasureQuality daily() {
    return new MeasureQuality(DEFAULT_MIN_POSITIVES, Map.of());
  }

  /** Rows with fewer positives are measured but never alarm. */
  public MeasureQuality withMinPositives(long value) {
    if (value < 1) {
      throw new IllegalArgumentException(
          "the minimum number of positives must be at least 1, got " + value);
    }
    return new MeasureQuality(value, testAuc);
  }

  /** The test AUC of each model version, by {@code name:version}, copied into its rows. */
  public MeasureQuality withTestAuc(Map<String, Double> value) {
    return new MeasureQuality(minPositives, Map.copyOf(value));
  }

  @Override
  public PCollection<QualityRow> expand(PCollection<LabelledScore> scored) {
    return scored
        .apply("KeyByDayAndVariant", ParDo.of(new KeyFn()))
        .setCoder(KvCoder.of(QualityKey.coder(), SerializableCoder.of(LabelledScore.class)))
        .apply("CombineHistograms", Combine.perKey(new HistogramFn()))
        .apply("ComputeMetrics", ParDo.of(new RowFn(minPositives, testAuc)))
        .setCoder(SerializableCoder.of(QualityRow.class));
  }

  private static final class KeyFn extends DoFn<LabelledScore, KV<QualityKey, LabelledScore>> {
    @ProcessElement
    public void process(
        @Element LabelledScore s, OutputReceiver<KV<QualityKey, LabelledScore>> out) {
      out.output(KV.of(s.key(), s));
    }
  }

  /** Folds labelled scores into a histogram; merging adds counts. */
  static final class HistogramFn
      extends Combine.CombineFn<LabelledScore, ScoreHistogram, ScoreHistogram> {
    @Override
    public ScoreHistogram createAccumulator() {
      return new ScoreHistogram();
    }

    @Override
    public ScoreHistogram addInput(ScoreHistogram h, LabelledScore s) {
      return h.add(s.score(), s.responded());
    }

    @Override
    public ScoreHistogram mergeAccumulators(Iterable<ScoreHistogram> accumulators) {
      ScoreHistogram merged = new ScoreHistogram();
      for (ScoreHistogram h : accumulators) {
        merged.merge(h);
      }
      return merged;
    }

    @Override
    public ScoreHistogram extractOutput(ScoreHistogram h) {
      return h;
    }

    @Override
    public Coder<ScoreHistogram> getAccumulatorCoder(
        CoderRegistry registry, Coder<LabelledScore> input) {
      return ScoreHistogramCoder.of();
    }

    @Override
    public Coder<ScoreHistogram> getDefaultOutputCoder(
        CoderRegistry registry, Coder<LabelledScore> input) {
      return ScoreHistogramCoder.of();
    }
  }

  private static final class RowFn extends DoFn<KV<QualityKey, ScoreHistogram>, QualityRow> {
    private final long minPositives;
    private final Map<String, Double> testAuc;

    RowFn(long minPositives, Map<String, Double> testAuc) {
      this.minPositives = minPositives;
      this.testAuc = testAuc;
    }

    @ProcessElement
    public void process(
        @Element KV<QualityKey, ScoreHistogram> kv, OutputReceiver<QualityRow> out) {
      QualityKey key = kv.getKey();
      out.output(QualityRow.of(key, kv.getValue(), minPositives, testAuc.get(key.model())));
    }
  }
}
