package io.beamml.training.card;

import io.beamml.training.evaluation.CalibrationBin;
import io.beamml.training.evaluation.FeatureImportance;
import io.beamml.training.evaluation.RocPoint;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The model card's plots as PNG bytes, drawn off-screen (training machines have no display). */
public final class Charts {

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private static final int WIDTH = 640;
  private static final int HEIGHT = 480;

  /** More points than this add nothing visible and slow the renderer down. */
  private static final int MAX_ROC_POINTS = 1000;

  private Charts() {}

  public static byte[] roc(List<RocPoint> points, double auc) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(String.format(Locale.ROOT, "ROC curve (test AUC %.4f)", auc))
            .xAxisTitle("false positive rate")
            .yAxisTitle("true positive rate")
            .build();
    unitSquare(chart);
    List<RocPoint> shown = thin(points);
    double[] x = new double[shown.size()];
    double[] y = new double[shown.size()];
    for (int i = 0; i < shown.size(); i++) {
      x[i] = shown.get(i).falsePositiveRate();
      y[i] = shown.get(i).truePositiveRate();
    }
    XYSeries model = chart.addSeries("model", x, y);
    model.setMarker(SeriesMarkers.NONE);
    diagonal(chart, "chance");
    return png(chart);
  }

  public static byte[] calibration(List<CalibrationBin> bins) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Calibration (test split)")
            .xAxisTitle("mean predicted probability")
            .yAxisTitle("observed response rate")
            .build();
    unitSquare(chart);
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (CalibrationBin b : bins) {
      if (b.count() > 0) {
        x.add(b.meanPredicted());
        y.add(b.observedRate());
      }
    }
    XYSeries model = chart.addSeries("model", x, y);
    model.setMarker(SeriesMarkers.CIRCLE);
    diagonal(chart, "perfectly calibrated");
    return png(chart);
  }

  public static byte[] importance(List<FeatureImportance> importance) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Feature importance (total gain)")
            .xAxisTitle("feature")
            .yAxisTitle("total gain")
            .build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    List<String> names = new ArrayList<>();
    List<Double> gains = new ArrayList<>();
    for (FeatureImportance f : importance) {
      names.add(f.feature());
      gains.add(f.gain());
    }
    chart.addSeries("gain", names, gains);
    return png(chart);
  }

  private static void unitSquare(XYChart chart) {
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    chart.getStyler().setXAxisDecimalPattern("0.0#").setYAxisDecimalPattern("0.0#");
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
  }

  /**
   * Drawn through 101 points: when every plotted value is a multiple of one step (ROC rates are
   * multiples of 1/positives), xchart puts its ticks on data values instead of round numbers.
   */
  private static void diagonal(XYChart chart, String name) {
    double[] line = new double[101];
    for (int i = 0; i < line.length; i++) {
      line[i] = i / 100.0;
    }
    XYSeries d = chart.addSeries(name, line, line);
    d.setMarker(SeriesMarkers.NONE);
    d.setLineStyle(SeriesLines.DASH_DASH);
    d.setLineColor(Color.GRAY);
  }

  private static List<RocPoint> thin(List<RocPoint> points) {
    if (points.size() <= MAX_ROC_POINTS) {
      return points;
    }
    List<RocPoint> shown = new ArrayList<>(MAX_ROC_POINTS + 1);
    double step = (points.size() - 1) / (double) MAX_ROC_POINTS;
    for (int i = 0; i < MAX_ROC_POINTS; i++) {
      shown.add(points.get((int) Math.round(i * step)));
    }
    shown.add(points.get(points.size() - 1));
    return shown;
  }

  private static byte[] png(Chart<?, ?> chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render chart " + chart.getTitle(), e);
    }
  }
}
