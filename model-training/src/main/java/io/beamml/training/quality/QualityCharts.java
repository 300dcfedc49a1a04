package io.beamml.training.quality;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The quality report's plots as PNG bytes, drawn off-screen with xchart like the model card's. */
final class QualityCharts {

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private static final int WIDTH = 800;
  private static final int HEIGHT = 480;

  private QualityCharts() {}

  /**
   * One line per version and variant of a daily metric (rows where it is null are left out), and
   * for AUC each version's test AUC as a dashed line.
   */
  static byte[] daily(
      String title, String field, Map<String, List<JsonNode>> byVariant, boolean withTestAuc) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("day of send time (UTC)")
            .yAxisTitle(field)
            .build();
    chart.getStyler().setDatePattern("yyyy-MM-dd");
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    for (Map.Entry<String, List<JsonNode>> variant : byVariant.entrySet()) {
      List<Date> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      Double testAuc = null;
      for (JsonNode row : variant.getValue()) {
        if (row.path("test_auc").isNumber()) {
          testAuc = row.path("test_auc").asDouble();
        }
        if (row.path(field).isNumber()) {
          x.add(date(row.path("day").asText()));
          y.add(row.path(field).asDouble());
        }
      }
      if (x.isEmpty()) {
        continue;
      }
      XYSeries s = chart.addSeries(variant.getKey(), x, y);
      s.setMarker(SeriesMarkers.CIRCLE);
      if (withTestAuc && testAuc != null) {
        List<Double> line = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) {
          line.add(testAuc);
        }
        XYSeries t = chart.addSeries(variant.getKey() + " test AUC", x, line);
        t.setMarker(SeriesMarkers.NONE);
        t.setLineStyle(SeriesLines.DASH_DASH);
        t.setLineColor(s.getLineColor());
      }
    }
    if (chart.getSeriesMap().isEmpty()) {
      chart.addSeries("no measured day", new double[] {0}, new double[] {0});
    }
    return png(chart);
  }

  /** Observed response rate against mean score per calibration bin, pooled over the run's days. */
  static byte[] calibration(Map<String, List<JsonNode>> byVariant) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Calibration (live, all days)")
            .xAxisTitle("mean score")
            .yAxisTitle("observed response rate")
            .build();
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    for (Map.Entry<String, List<JsonNode>> variant : byVariant.entrySet()) {
      long[] rows = new long[QualityMetrics.CALIBRATION_BINS];
      double[] score = new double[QualityMetrics.CALIBRATION_BINS];
      double[] positives = new double[QualityMetrics.CALIBRATION_BINS];
      for (JsonNode row : variant.getValue()) {
        JsonNode bins = row.path("calibration");
        for (int b = 0; b < bins.size(); b++) {
          long n = bins.get(b).path("rows").asLong();
          if (n > 0) {
            rows[b] += n;
            score[b] += n * bins.get(b).path("mean_score").asDouble();
            positives[b] += n * bins.get(b).path("observed_rate").asDouble();
          }
        }
      }
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int b = 0; b < rows.length; b++) {
        if (rows[b] > 0) {
          x.add(score[b] / rows[b]);
          y.add(positives[b] / rows[b]);
        }
      }
      if (!x.isEmpty()) {
        chart.addSeries(variant.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
      }
    }
    double[] diagonal = new double[101];
    for (int i = 0; i < diagonal.length; i++) {
      diagonal[i] = i / 100.0;
    }
    XYSeries d = chart.addSeries("perfectly calibrated", diagonal, diagonal);
    d.setMarker(SeriesMarkers.NONE);
    d.setLineStyle(SeriesLines.DASH_DASH);
    d.setLineColor(Color.GRAY);
    return png(chart);
  }

  private static Date date(String day) {
    return Date.from(LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  private static byte[] png(XYChart chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render chart " + chart.getTitle(), e);
    }
  }
}
