package io.beamml.training.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.training.card.Html;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A one-page HTML read-out of {@value QualityReadout#FILE}: live AUC per day beside each version's
 * test AUC (from its model card), calibration, log loss and Brier score over the days, the
 * champion/challenger comparison with its confidence interval, the alert state and the responses no
 * score was found for. Rendered from the JSON alone, so a stored read-out can be redrawn.
 */
public final class QualityReport {

  public static final String HTML = "quality-report.html";
  public static final String AUC_PNG = "quality-auc.png";
  public static final String CALIBRATION_PNG = "quality-calibration.png";
  public static final String LOSS_PNG = "quality-log-loss.png";
  public static final String BRIER_PNG = "quality-brier.png";

  private final JsonNode readout;
  private final @Nullable String source;

  private QualityReport(JsonNode readout, @Nullable String source) {
    this.readout = readout;
    this.source = source;
  }

  public static QualityReport of(String qualityJson) {
    try {
      return new QualityReport(new ObjectMapper().readTree(qualityJson), null);
    } catch (IOException e) {
      throw new UncheckedIOException("not a quality read-out", e);
    }
  }

  /** Names the data measured (e.g. the input globs) in the report. */
  public QualityReport withSource(String value) {
    return new QualityReport(readout, value);
  }

  /** File name to bytes: the page and its pictures. */
  public Map<String, byte[]> render() {
    Map<String, List<JsonNode>> byVariant = byVariant();
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(
        AUC_PNG,
        QualityCharts.daily(
            "Live AUC per day (dashed: the version's test AUC)", "auc", byVariant, true));
    files.put(CALIBRATION_PNG, QualityCharts.calibration(byVariant));
    files.put(LOSS_PNG, QualityCharts.daily("Log loss per day", "log_loss", byVariant, false));
    files.put(BRIER_PNG, QualityCharts.daily("Brier score per day", "brier", byVariant, false));
    files.put(HTML, html(byVariant).getBytes(StandardCharsets.UTF_8));
    return files;
  }

  private Map<String, List<JsonNode>> byVariant() {
    Map<String, List<JsonNode>> out = new TreeMap<>();
    for (JsonNode row : readout.path("rows")) {
      String key =
          row.path("model_name").asText()
              + ":"
              + row.path("model_version").asText()
              + " "
              + row.path("variant").asText();
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
    }
    return out;
  }

  private String html(Map<String, List<JsonNode>> byVariant) {
    StringBuilder b = new StringBuilder();
    b.append(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Model quality</title>\n<style>\n")
        .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
        .append(
            "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
        .append(
            "td.n{text-align:right;font-family:monospace}tr.below td{background:#fde0dc}tr.thin td{color:#888}")
        .append("img{max-width:100%;margin:0.5em 0}")
        .append(
            "\n</style>\n</head>\n<body>\n<h1>Model quality: live scores against responses</h1>\n");
    b.append("<table>\n");
    kv(b, "data", source);
    kv(b, "minimum positives to alarm", readout.path("min_positives").asText());
    kv(
        b,
        "alert",
        String.format(
            Locale.ROOT,
            "live AUC below test AUC - %s on %s days in a row",
            readout.path("auc_tolerance").asText(),
            readout.path("alert_days").asText()));
    kv(b, "responses without a score", readout.path("unscored_responses").asText());
    b.append("</table>\n");

    b.append(
        "<h2>Test metrics of the versions (model cards)</h2>\n<table>\n<tr><th>version</th><th>metric</th><th>value</th></tr>\n");
    for (Iterator<Map.Entry<String, JsonNode>> it = readout.path("test_metrics").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> version = it.next();
      for (Iterator<Map.Entry<String, JsonNode>> m = version.getValue().fields(); m.hasNext(); ) {
        Map.Entry<String, JsonNode> metric = m.next();
        b.append("<tr><td>")
            .append(Html.escape(version.getKey()))
            .append("</td><td>")
            .append(Html.escape(metric.getKey()))
            .append("</td>")
            .append(number(metric.getValue(), "%.4f"))
            .append("</tr>\n");
      }
    }
    b.append("</table>\n");

    b.append(
        "<h2>Alerts</h2>\n<table>\n<tr><th>version</th><th>variant</th><th>test AUC</th><th>days below</th><th>firing</th></tr>\n");
    for (JsonNode a : readout.path("alerts")) {
      b.append(a.path("firing").asBoolean() ? "<tr class=\"below\">" : "<tr>")
          .append("<td>")
          .append(
              Html.escape(a.path("model_name").asText() + ":" + a.path("model_version").asText()))
          .append("</td>")
          .append("<td>")
          .append(Html.escape(a.path("variant").asText()))
          .append("</td>")
          .append(number(a.path("test_auc"), "%.4f"))
          .append("<td class=\"n\">")
          .append(a.path("days_below_test").asInt())
          .append("</td>")
          .append("<td>")
          .append(a.path("firing").asBoolean() ? "FIRING" : "no")
          .append("</td></tr>\n");
    }
    b.append("</table>\n");

    b.append("<h2>Champion against challenger</h2>\n");
    if (readout.path("ab").isEmpty()) {
      b.append("<p>No day with both a champion and a challenger.</p>\n");
    } else {
      b.append(
              "<p>AUC difference is challenger minus champion; the 95% interval comes from DeLong's variances of the two AUCs (independent samples: customers are split between the variants).</p>\n")
          .append(
              "<table>\n<tr><th>day</th><th>champion</th><th>AUC</th><th>rows</th><th>challenger</th><th>AUC</th><th>rows</th>")
          .append("<th>difference</th><th>95% interval</th><th>verdict</th></tr>\n");
      for (JsonNode c : readout.path("ab")) {
        b.append("<tr><td>")
            .append(Html.escape(c.path("scope").asText()))
            .append("</td>")
            .append("<td>")
            .append(Html.escape(c.path("champion_version").asText()))
            .append("</td>")
            .append(number(c.path("champion").path("auc"), "%.4f"))
            .append("<td class=\"n\">")
            .append(c.path("champion").path("rows").asLong())
            .append("</td>")
            .append("<td>")
            .append(Html.escape(c.path("challenger_version").asText()))
            .append("</td>")
            .append(number(c.path("challenger").path("auc"), "%.4f"))
            .append("<td class=\"n\">")
            .append(c.path("challenger").path("rows").asLong())
            .append("</td>")
            .append(number(c.path("auc_difference"), "%+.4f"))
            .append("<td class=\"n\">")
            .append(
                c.path("ci95_low").isNumber()
                    ? String.format(
                        Locale.ROOT,
                        "[%+.4f, %+.4f]",
                        c.path("ci95_low").asDouble(),
                        c.path("ci95_high").asDouble())
                    : "&ndash;")
            .append("</td>")
            .append("<td>")
            .append(Html.escape(c.path("verdict").asText().replace('_', ' ')))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }

    b.append("<h2>Plots</h2>\n");
    img(b, AUC_PNG, "live AUC per day against test AUC");
    img(b, CALIBRATION_PNG, "calibration of the live scores");
    img(b, LOSS_PNG, "log loss per day");
    img(b, BRIER_PNG, "Brier score per day");

    b.append(
            "<h2>Days</h2>\n<p>Greyed: fewer positives than the minimum (measured, never alarms). Red: live AUC below the test AUC minus the tolerance.</p>\n")
        .append(
            "<table>\n<tr><th>day</th><th>version</th><th>variant</th><th>rows</th><th>positives</th><th>base rate</th>")
        .append(
            "<th>mean score</th><th>AUC</th><th>&plusmn; s.e.</th><th>test AUC</th><th>log loss</th><th>Brier</th><th>ECE</th></tr>\n");
    double tolerance = readout.path("auc_tolerance").asDouble();
    for (List<JsonNode> rows : byVariant.values()) {
      for (JsonNode r : rows) {
        boolean alarmable = r.path("alarmable").asBoolean();
        boolean below =
            alarmable
                && r.path("test_auc").isNumber()
                && r.path("auc").asDouble() < r.path("test_auc").asDouble() - tolerance;
        b.append(!alarmable ? "<tr class=\"thin\">" : below ? "<tr class=\"below\">" : "<tr>")
            .append("<td>")
            .append(Html.escape(r.path("day").asText()))
            .append("</td>")
            .append("<td>")
            .append(
                Html.escape(r.path("model_name").asText() + ":" + r.path("model_version").asText()))
            .append("</td>")
            .append("<td>")
            .append(Html.escape(r.path("variant").asText()))
            .append("</td>")
            .append("<td class=\"n\">")
            .append(r.path("rows").asLong())
            .append("</td>")
            .append("<td class=\"n\">")
            .append(r.path("positives").asLong())
            .append("</td>")
            .append(number(r.path("base_rate"), "%.4f"))
            .append(number(r.path("mean_score"), "%.4f"))
            .append(number(r.path("auc"), "%.4f"))
            .append(number(r.path("auc_std_error"), "%.4f"))
            .append(number(r.path("test_auc"), "%.4f"))
            .append(number(r.path("log_loss"), "%.4f"))
            .append(number(r.path("brier"), "%.4f"))
            .append(number(r.path("ece"), "%.4f"))
            .append("</tr>\n");
      }
    }
    b.append("</table>\n");
    if (readout.path("unscored_by_day").size() > 0) {
      b.append(
          "<h2>Responses without a score</h2>\n<p>No audit record of the promotion and no prediction for the customer at or before the send time.</p>\n<table>\n<tr><th>day</th><th>responses</th></tr>\n");
      for (Iterator<Map.Entry<String, JsonNode>> it = readout.path("unscored_by_day").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> d = it.next();
        b.append("<tr><td>")
            .append(Html.escape(d.getKey()))
            .append("</td><td class=\"n\">")
            .append(d.getValue().asLong())
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    b.append("</body>\n</html>\n");
    return b.toString();
  }

  private static void img(StringBuilder b, String file, String alt) {
    b.append("<img src=\"")
        .append(file)
        .append("\" alt=\"")
        .append(Html.escape(alt))
        .append("\">\n");
  }

  private static String number(JsonNode value, String format) {
    return "<td class=\"n\">"
        + (value.isNumber() ? String.format(Locale.ROOT, format, value.asDouble()) : "&ndash;")
        + "</td>";
  }

  private static void kv(StringBuilder b, String key, @Nullable String value) {
    b.append("<tr><th>")
        .append(Html.escape(key))
        .append("</th><td>")
        .append(value == null ? "&ndash;" : Html.escape(value))
        .append("</td></tr>\n");
  }
}
