package io.beamml.training.drift;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * One feature's reference and current histograms as side-by-side bars (PNG bytes), drawn off-screen
 * like the model card's plots: report machines have no display.
 */
public final class DriftChart {

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  public static final int WIDTH = 640;
  public static final int HEIGHT = 400;

  private static final Color REFERENCE = new Color(0x4C72B0);
  private static final Color CURRENT = new Color(0xDD8452);
  private static final Color CURRENT_DRIFTED = new Color(0xC44E52);

  private DriftChart() {}

  public static byte[] histogram(FeatureDrift feature) {
    String verdict = feature.drifted() ? " (drifted)" : "";
    String psi = feature.psi() == null ? "n/a" : String.format(Locale.ROOT, "%.3f", feature.psi());
    String ks =
        feature.ksStatistic() == null
            ? ""
            : String.format(Locale.ROOT, ", KS D %.3f", feature.ksStatistic());
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(feature.feature() + ": PSI " + psi + ks + verdict)
            .xAxisTitle(
                feature.kind() == FeatureReference.Kind.numeric
                    ? "bin (training quantiles)"
                    : "category")
            .yAxisTitle("share of rows")
            .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setYAxisDecimalPattern("0.0#");
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setOverlapped(false);
    if (feature.bins().size() > 6) {
      chart.getStyler().setXAxisLabelRotation(45);
    }
    List<String> bins = feature.bins();
    CategorySeries reference =
        chart.addSeries("reference (training)", bins, boxed(feature.referenceShares()));
    reference.setFillColor(REFERENCE);
    CategorySeries current =
        chart.addSeries("current", new ArrayList<>(bins), boxed(feature.currentShares()));
    current.setFillColor(feature.drifted() ? CURRENT_DRIFTED : CURRENT);
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render the histogram of " + feature.feature(), e);
    }
  }

  private static List<Double> boxed(double[] values) {
    List<Double> list = new ArrayList<>(values.length);
    for (double v : values) {
      list.add(v);
    }
    return list;
  }
}
