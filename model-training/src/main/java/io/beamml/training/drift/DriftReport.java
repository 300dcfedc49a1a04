package io.beamml.training.drift;

import io.beamml.training.card.Html;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A one-page HTML comparison of a batch run with a model version's training reference: the
 * statistics table (drifted features highlighted) and one picture per feature, reference bars
 * beside current bars, so whoever reads it sees where a distribution moved, not just that it did.
 */
public final class DriftReport {

  public static final String HTML = "drift-report.html";

  private final WindowDrift drift;
  private final @Nullable String source;

  private DriftReport(WindowDrift drift, @Nullable String source) {
    this.drift = drift;
    this.source = source;
  }

  public static DriftReport of(WindowDrift drift) {
    return new DriftReport(drift, null);
  }

  /** Names the data compared (e.g. the input glob) in the report. */
  public DriftReport withSource(String value) {
    return new DriftReport(drift, value);
  }

  /** The picture of one feature. */
  public static String pictureName(String feature) {
    return "drift-" + feature + ".png";
  }

  /** File name to bytes: the HTML page and one PNG per feature, in spec order. */
  public Map<String, byte[]> render() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (FeatureDrift f : drift.features()) {
      files.put(pictureName(f.feature()), DriftChart.histogram(f));
    }
    files.put(HTML, html().getBytes(StandardCharsets.UTF_8));
    return files;
  }

  private String html() {
    String model = drift.modelName() + ":" + drift.modelVersion();
    String title = "Drift report: " + model;
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(Html.escape(title))
        .append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}")
        .append(
            "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
        .append(
            "td.n{text-align:right;font-family:monospace}tr.drifted td{background:#fde0dc;font-weight:bold}")
        .append("img{max-width:100%;margin:0.5em 0}")
        .append("\n</style>\n</head>\n<body>\n<h1>")
        .append(Html.escape(title))
        .append("</h1>\n");

    b.append("<table>\n");
    row(b, "model version", model);
    row(b, "data", source);
    row(b, "window", window());
    row(b, "rows compared", Long.toString(drift.rows()));
    row(b, "thresholds", drift.thresholds().toString());
    b.append("</table>\n");

    if (!drift.measured()) {
      b.append(
          String.format(
              Locale.ROOT,
              "<p>Only %d rows, fewer than the minimum of %d: the statistics are shown but nothing is flagged.</p>\n",
              drift.rows(),
              drift.thresholds().minRows()));
    } else if (drift.driftedFeatures().isEmpty()) {
      b.append("<p>No feature drifted.</p>\n");
    } else {
      b.append("<p>Drifted: <strong>")
          .append(Html.escape(String.join(", ", drift.driftedFeatures())))
          .append("</strong></p>\n");
    }

    b.append(
            "<h2>Statistics</h2>\n<table>\n<tr><th>feature</th><th>kind</th><th>PSI</th><th>KS D</th>")
        .append(
            "<th>KS threshold</th><th>KS p-value</th><th>missing (reference)</th><th>missing (current)</th><th>drifted</th></tr>\n");
    for (FeatureDrift f : drift.features()) {
      double[] ref = f.referenceShares();
      double[] cur = f.currentShares();
      b.append(f.drifted() ? "<tr class=\"drifted\">" : "<tr>")
          .append("<td><a href=\"#")
          .append(Html.escape(f.feature()))
          .append("\">")
          .append(Html.escape(f.feature()))
          .append("</a></td>")
          .append("<td>")
          .append(f.kind())
          .append("</td>")
          .append(cell(f.psi(), "%.4f"))
          .append(cell(f.ksStatistic(), "%.4f"))
          .append(cell(f.ksThreshold(), "%.4f"))
          .append(pValue(f.ksPValue()))
          .append(cell(ref[ref.length - 1], "%.4f"))
          .append(cell(drift.rows() == 0 ? null : cur[cur.length - 1], "%.4f"))
          .append("<td>")
          .append(verdict(f))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");

    b.append("<h2>Distributions</h2>\n");
    for (FeatureDrift f : drift.features()) {
      b.append("<h3 id=\"")
          .append(Html.escape(f.feature()))
          .append("\">")
          .append(Html.escape(f.feature()))
          .append(f.drifted() ? " (drifted)" : "")
          .append("</h3>\n")
          .append("<img src=\"")
          .append(pictureName(f.feature()))
          .append("\" alt=\"")
          .append(Html.escape(f.feature()))
          .append(": reference and current histograms\">\n");
    }
    b.append("</body>\n</html>\n");
    return b.toString();
  }

  private String window() {
    if (drift.windowStart() == null) {
      return "the whole run";
    }
    return Instant.ofEpochMilli(drift.windowStart())
        + " to "
        + Instant.ofEpochMilli(drift.windowEnd());
  }

  private static String verdict(FeatureDrift f) {
    if (f.psiDrifted() && f.ksDrifted()) {
      return "PSI, KS";
    }
    return f.psiDrifted() ? "PSI" : f.ksDrifted() ? "KS" : "no";
  }

  private static String cell(@Nullable Double value, String format) {
    return "<td class=\"n\">"
        + (value == null ? "&ndash;" : String.format(Locale.ROOT, format, value))
        + "</td>";
  }

  /**
   * The asymptotic p-value underflows to 0 for large shifts; it is below double precision, not
   * zero.
   */
  private static String pValue(@Nullable Double p) {
    if (p != null && p < 1e-16) {
      return "<td class=\"n\">&lt; 1e-16</td>";
    }
    return cell(p, "%.3g");
  }

  private static void row(StringBuilder b, String key, @Nullable String value) {
    b.append("<tr><th>")
        .append(Html.escape(key))
        .append("</th><td>")
        .append(value == null ? "&ndash;" : Html.escape(value))
        .append("</td></tr>\n");
  }
}
