package io.beamml.training.quality;

import io.beamml.transforms.metrics.MetricLabels;
import java.util.Comparator;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableBiFunction;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Sets the gauges {@code beamml_quality_<metric>{model,version,variant}} from the latest day of
 * each model version and variant in every window: in a stream of daily windows, each day as it
 * closes; in a batch run, the run's last day that had both classes (the report holds all of them).
 * Fractions (AUC, log loss, Brier, ECE, base rate, mean score, the version's test AUC) are recorded
 * in millionths labelled {@link MetricLabels#SCALE}; {@code rows} and {@code positives} as counts;
 * {@code alarmable} is 1 when the day had enough positives to be compared with the test AUC, else
 * 0, so an alert rule can ignore thin days. Namespace {@value #NAMESPACE}.
 *
 * <p>In a stream whose daily windows fire again as late responses arrive ({@link #inStream}), a
 * late pane of an older day must not push the gauges back, and a new day's first pane, thin while
 * its responses are still coming, must not hide the last day that could be judged: the gauges
 * follow the latest day with enough positives ({@link QualityRow#alarmable}), and only before there
 * is one the latest day measured. Each pane of that day updates them.
 */
public final class RecordQualityGauges extends PTransform<PCollection<QualityRow>, PDone> {

  public static final String NAMESPACE = "quality";
  public static final String AUC = "auc";
  public static final String TEST_AUC = "test_auc";
  public static final String ALARMABLE = "alarmable";
  private static final long SCALE = 1_000_000L;

  /** A day with an AUC (both classes) before one without, then the later day. */
  private static final Comparator<QualityRow> LATEST =
      Comparator.comparing((QualityRow r) -> r.metrics().auc() != null)
          .thenComparing(r -> r.key().day());

  /** Alarmable days first, then days with both classes, then the later day. */
  private static final Comparator<QualityRow> LATEST_JUDGED =
      Comparator.comparing(QualityRow::alarmable).thenComparing(LATEST);

  private final boolean stream;

  private RecordQualityGauges(boolean stream) {
    this.stream = stream;
  }

  public static RecordQualityGauges latestDay() {
    return new RecordQualityGauges(false);
  }

  /**
   * For rows arriving pane after pane (any windowing): per model version and variant, the latest
   * alarmable day so far, or before one, the latest day; kept in keyed state.
   */
  public static RecordQualityGauges inStream() {
    return new RecordQualityGauges(true);
  }

  @Override
  public PDone expand(PCollection<QualityRow> rows) {
    PCollection<KV<String, QualityRow>> keyed = keyed(rows);
    if (stream) {
      keyed
          .apply("VariantsInGlobalWindow", Window.into(new GlobalWindows()))
          .apply("SetGaugesOfLatestJudgedDay", ParDo.of(new LatestJudgedFn()));
    } else {
      keyed
          .apply(
              "LatestDay",
              Combine.perKey(
                  Combine.BinaryCombineFn.of(
                      (SerializableBiFunction<QualityRow, QualityRow, QualityRow>)
                          (a, b) -> LATEST.compare(a, b) >= 0 ? a : b)))
          .apply("SetGauges", ParDo.of(new GaugeFn()));
    }
    return PDone.in(rows.getPipeline());
  }

  private static PCollection<KV<String, QualityRow>> keyed(PCollection<QualityRow> rows) {
    return rows.apply(
            "KeyByVariant",
            ParDo.of(
                new DoFn<QualityRow, KV<String, QualityRow>>() {
                  @ProcessElement
                  public void process(
                      @Element QualityRow r, OutputReceiver<KV<String, QualityRow>> out) {
                    out.output(KV.of(r.key().model() + "/" + r.key().variant(), r));
                  }
                }))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(QualityRow.class)));
  }

  /**
   * Sets the gauges from a row only if it is no older, by {@link #LATEST_JUDGED}, than the last.
   */
  private static final class LatestJudgedFn extends DoFn<KV<String, QualityRow>, Void> {
    @StateId("shown")
    private final StateSpec<ValueState<QualityRow>> shownSpec =
        StateSpecs.value(SerializableCoder.of(QualityRow.class));

    @ProcessElement
    public void process(
        @Element KV<String, QualityRow> kv, @StateId("shown") ValueState<QualityRow> shown) {
      QualityRow previous = shown.read();
      if (previous == null || LATEST_JUDGED.compare(kv.getValue(), previous) >= 0) {
        shown.write(kv.getValue());
        GaugeFn.set(kv.getValue());
      }
    }
  }

  private static final class GaugeFn extends DoFn<KV<String, QualityRow>, Void> {
    @ProcessElement
    public void process(@Element KV<String, QualityRow> kv) {
      set(kv.getValue());
    }

    static void set(QualityRow row) {
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
          ? MetricLabels.name(
              family,
              "model",
              k.modelName(),
              "version",
              k.modelVersion(),
              "variant",
              k.variant(),
              MetricLabels.SCALE,
              Long.toString(SCALE))
          : MetricLabels.name(
              family, "model", k.modelName(), "version", k.modelVersion(), "variant", k.variant());
    }
  }
}
