package io.beamml.pipelines.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.pipelines.io.IsoText;
import io.beamml.pipelines.quality.Score;
import io.beamml.pipelines.quality.StreamMatchScores;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.Prediction;
import io.beamml.training.quality.LabelledScore;
import io.beamml.training.quality.MeasureQuality;
import io.beamml.training.quality.QualityAlarm;
import io.beamml.training.quality.QualityRow;
import io.beamml.training.quality.RecordQualityGauges;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;

/**
 * Live model quality inside the stream: each promotion response joined with the score its customer
 * got ({@link StreamMatchScores}: the latest prediction at or before the send time), then measured
 * per UTC day of send time, model version and variant by the batch report's own {@link
 * MeasureQuality} (rows, positives, base rate, mean score, AUC, log loss, Brier, ECE over 10 bins),
 * which sets the same {@code beamml_quality_*} gauges ({@link RecordQualityGauges#inStream}) so the
 * live-AUC alert watches the stream as it watches a report.
 *
 * <p><b>Windows.</b> Fixed daily windows of send time. A day's row is emitted when the watermark
 * passes the day's end (the on-time pane), then again, with every response so far (accumulating
 * panes), at most once per {@code lateFiringDelay} of processing time while late responses still
 * arrive. Responses come days after their promotion, so the windows accept data up to the response
 * lateness L plus one day late: every response the join accepts (at most L behind the watermark)
 * reaches its window, and later ones are dead letters of the join, so none is dropped unseen.
 *
 * <p><b>Records.</b> Each pane of each day, model version and variant becomes one JSON record
 * ({@link #json}), keyed by {@code name:version/variant}: the batch row's fields plus the window,
 * the pane, and {@code below_test_auc}, the daily condition of the alert (a live AUC below the
 * version's test AUC minus the tolerance on a day with enough positives); a day with fewer
 * positives than the minimum is measured but never below. Records come back in the global window.
 */
public final class StreamQuality
    extends PTransform<PCollection<LabelledPromo>, StreamQuality.Result> {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TupleTag<KV<String, String>> RECORDS = new TupleTag<>("qualityRecords");
  private static final TupleTag<DeadLetter> LATE = new TupleTag<>("lateResponses");

  private final PCollection<Prediction> predictions;
  private final Duration lateness;
  private final Duration scoreTtl;
  private final Duration lateFiringDelay;
  private final long minPositives;
  private final double aucTolerance;
  private final Map<String, Double> testAuc;

  private StreamQuality(
      PCollection<Prediction> predictions,
      Duration lateness,
      Duration scoreTtl,
      Duration lateFiringDelay,
      long minPositives,
      double aucTolerance,
      Map<String, Double> testAuc) {
    this.predictions = predictions;
    this.lateness = lateness;
    this.scoreTtl = scoreTtl;
    this.lateFiringDelay = lateFiringDelay;
    this.minPositives = minPositives;
    this.aucTolerance = aucTolerance;
    this.testAuc = testAuc;
  }

  /**
   * Measures the responses against {@code predictions} (stamped with their event times), with a
   * response lateness and score TTL of seven days, late panes at most once a minute, the batch
   * report's minimum positives and AUC tolerance, and no test AUCs.
   */
  public static StreamQuality of(PCollection<Prediction> predictions) {
    return new StreamQuality(
        Objects.requireNonNull(predictions, "predictions"),
        Duration.standardDays(7),
        Duration.standardDays(7),
        Duration.standardMinutes(1),
        MeasureQuality.DEFAULT_MIN_POSITIVES,
        QualityAlarm.DEFAULT_TOLERANCE,
        Map.of());
  }

  /** How long after the watermark passed its send time a response may arrive. */
  public StreamQuality withLateness(Duration value) {
    return new StreamQuality(
        predictions, value, scoreTtl, lateFiringDelay, minPositives, aucTolerance, testAuc);
  }

  /** How long before a send time a prediction may be to still be the score the customer got. */
  public StreamQuality withScoreTtl(Duration value) {
    return new StreamQuality(
        predictions, lateness, value, lateFiringDelay, minPositives, aucTolerance, testAuc);
  }

  /** How long a late pane waits, in processing time, after its first late response. */
  public StreamQuality withLateFiringDelay(Duration value) {
    return new StreamQuality(
        predictions,
        lateness,
        scoreTtl,
        Objects.requireNonNull(value, "lateFiringDelay"),
        minPositives,
        aucTolerance,
        testAuc);
  }

  /** Days with fewer positives are measured but never alarm. */
  public StreamQuality withMinPositives(long value) {
    MeasureQuality.daily().withMinPositives(value);
    return new StreamQuality(
        predictions, lateness, scoreTtl, lateFiringDelay, value, aucTolerance, testAuc);
  }

  /** The alert's tolerance below the version's test AUC. */
  public StreamQuality withAucTolerance(double value) {
    new QualityAlarm(value, 1);
    return new StreamQuality(
        predictions, lateness, scoreTtl, lateFiringDelay, minPositives, value, testAuc);
  }

  /** Each model version's test AUC, by {@code name:version}. */
  public StreamQuality withTestAuc(Map<String, Double> value) {
    return new StreamQuality(
        predictions,
        lateness,
        scoreTtl,
        lateFiringDelay,
        minPositives,
        aucTolerance,
        Map.copyOf(value));
  }

  @Override
  public Result expand(PCollection<LabelledPromo> responses) {
    PCollection<Score> scores =
        predictions
            .apply(
                "PredictionsAsScores",
                MapElements.into(TypeDescriptor.of(Score.class)).via(Score::of))
            .setCoder(SerializableCoder.of(Score.class));
    StreamMatchScores.Result matched =
        responses.apply(
            "MatchScores",
            StreamMatchScores.with(scores).withLateness(lateness).withScoreTtl(scoreTtl));
    PCollection<QualityRow> rows =
        matched
            .matched()
            .apply(
                "WindowBySentDay",
                Window.<LabelledScore>into(FixedWindows.of(Duration.standardDays(1)))
                    .triggering(
                        AfterWatermark.pastEndOfWindow()
                            .withLateFirings(
                                AfterProcessingTime.pastFirstElementInPane()
                                    .plusDelayOf(lateFiringDelay)))
                    .withAllowedLateness(lateness.plus(Duration.standardDays(1)))
                    .accumulatingFiredPanes())
            .apply(
                "MeasureQuality",
                MeasureQuality.daily().withMinPositives(minPositives).withTestAuc(testAuc));
    rows.apply("RecordQualityGauges", RecordQualityGauges.inStream());
    PCollection<KV<String, String>> records =
        rows.apply("DescribeQualityRows", ParDo.of(new DescribeFn(aucTolerance)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
            .apply(
                "RewindowQualityRecordsGlobally",
                Window.<KV<String, String>>into(new GlobalWindows())
                    .triggering(DefaultTrigger.of())
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes());
    return new Result(responses.getPipeline(), records, matched.late(), matched);
  }

  /**
   * One pane of one day's row as a quality record: the row's fields, the window, the pane and
   * whether the day is below the version's test AUC by more than {@code tolerance}.
   */
  static String json(QualityRow row, IntervalWindow window, PaneInfo pane, double tolerance) {
    ObjectNode n = row.toJson(MAPPER);
    n.put("window_start", IsoText.instant(window.start().getMillis()));
    n.put("window_end", IsoText.instant(window.end().getMillis()));
    n.put("pane_index", pane.getIndex());
    n.put("pane_timing", pane.getTiming().toString());
    n.put("auc_tolerance", tolerance);
    n.put("below_test_auc", row.belowTest(tolerance));
    try {
      return MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a quality row as JSON", e);
    }
  }

  private static final class DescribeFn extends DoFn<QualityRow, KV<String, String>> {
    private final double tolerance;

    DescribeFn(double tolerance) {
      this.tolerance = tolerance;
    }

    @ProcessElement
    public void process(
        @Element QualityRow row,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<KV<String, String>> out) {
      out.output(
          KV.of(
              row.key().model() + "/" + row.key().variant(),
              json(row, (IntervalWindow) window, pane, tolerance)));
    }
  }

  /** The quality records, the late responses as dead letters, and the join's own outputs. */
  public static final class Result implements POutput {
    private final Pipeline pipeline;
    private final PCollection<KV<String, String>> records;
    private final PCollection<DeadLetter> late;
    private final StreamMatchScores.Result matched;

    Result(
        Pipeline pipeline,
        PCollection<KV<String, String>> records,
        PCollection<DeadLetter> late,
        StreamMatchScores.Result matched) {
      this.pipeline = pipeline;
      this.records = records;
      this.late = late;
      this.matched = matched;
    }

    /**
     * One JSON record per pane of each day, model version and variant, keyed by {@code
     * name:version/variant}.
     */
    public PCollection<KV<String, String>> records() {
      return records;
    }

    /** Responses that came too late to be measured, as dead letters. */
    public PCollection<DeadLetter> deadLetters() {
      return late;
    }

    /** The join: matched scores, scored, unmatched and late responses. */
    public StreamMatchScores.Result matched() {
      return matched;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public Map<TupleTag<?>, PValue> expand() {
      return Map.of(RECORDS, records, LATE, late);
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {}
  }
}
