package io.beamml.training.quality;

import io.beamml.transforms.metrics.MetricLabels;
import java.util.Comparator;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableBiFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Sets the gauges {@code beamml_quality_<metric>{model,version,variant}} from the latest day of
 * each model version and variant in every window: in a stream of daily windows, each day as it
 * closes; in a batch run, the run's last day that had both classes (the report holds all of them). Fractions (AUC, log
 * loss, Brier, ECE, base rate, mean score, the version's test AUC) are recorded in millionths
 * labelled {@link MetricLabels#SCALE}; {@code rows} and {@code positives} as counts; {@code
 * alarmable} is 1 when the day had enough positives to be compared with the test AUC, else 0, so an
 * alert rule can ignore thin days. Namespace {@value #NAMESPACE}.
 */
public final class RecordQualityGauges extends PTransform<PCollection<QualityRow>, PDone> {

  public static final String NAMESPACE = "quality";
  public static final String AUC = "auc";
  public static final String TEST_AUC = "test_auc";
  public static final String ALARMABLE = "alarmable";
  private static final long SCALE = 1_000_000L;
  /** A day with an AUC (both classes) before one without, then the later day. */
  private static final Comparator<QualityRow> LATEST = Comparator
      .comparing((QualityRow r) -> r.metrics().auc() != null)
      .thenComparing(r -> r.key().day());

  private RecordQualityGauges() {}

  public static RecordQualityGauges latestDay() {
    return new RecordQualityGauges();
  }

  @Override
  public PDone expand(PCollection<QualityRow> rows) {
    rows.apply("KeyByVariant", ParDo.of(new DoFn<QualityRow, KV<String, QualityRow>>() {
          @ProcessElement
          public void process(@Element QualityRow r, OutputReceiver<KV<String, QualityRow>> out) {
            out.output(KV.of(r.key().model() + "/" + r.key().variant(), r));
          }
        }))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(QualityRow.class)))
        .apply("LatestDay", Combine.perKey(Combine.BinaryCombineFn.of(
            (SerializableBiFunction<QualityRow, QualityRow, QualityRow>) (a, b) -> LATEST.compare(a, b) >= 0 ? a : b)))
        .apply("SetGauges", ParDo.of(new GaugeFn()));
    return PDone.in(rows.getPipeline());
  }

  private static final class GaugeFn extends DoFn<KV<String, QualityRow>, Void> {
    @ProcessElement
    public void process(@Element KV<String, QualityRow> kv) {
      QualityRow row = kv.getValue();
      QualityMetrics m = row.metrics();
      fraction(row, AUC, m.auc());
      fraction(row, TEST_AUC, row.testAuc());
      fraction(row, "log_loss", m.logLoss());
      fraction(row, "brier", m.brier());
      fraction(row, "ece", m.ece());
      fraction(row, "base_rate", m.baseRate());
      fraction(row, "mean_score", m.meanScore());
      count(row, "rows", m.rows());
      count(row, "positives", m.positives());
      count(row, ALARMABLE, row.alarmable() ? 1 : 0);
    }

    private static void fraction(QualityRow row, String family, Double value) {
      if (value != null) {
        Metrics.gauge(NAMESPACE, name(row, family, true)).set(Math.round(value * SCALE));
      }
    }

    private static void count(QualityRow row, String family, long value) {
      Metrics.gauge(NAMESPACE, name(row, family, false)).set(value);
    }

    private static String name(QualityRow row, String family, boolean scaled) {
      QualityKey k = row.key();
      return scaled
          ? MetricLabels.name(family, "model", k.modelName(), "version", k.modelVersion(), "variant", k.variant(),
              MetricLabels.SCALE, Long.toString(SCALE))
          : MetricLabels.name(family, "model", k.modelName(), "version", k.modelVersion(), "variant", k.variant());
    }
  }
}
