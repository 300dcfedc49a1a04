package io.beamml.training.card;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.training.evaluation.CalibrationBin;
import io.beamml.training.evaluation.Evaluation;
import io.beamml.training.evaluation.FeatureImportance;
import io.beamml.training.evaluation.OracleAuc;
import io.beamml.training.interop.XgboostModelFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A one-page HTML description of a model version with its plots, stored beside the model as
 * attachments so whoever looks at a version later sees what it was trained on and how it did.
 */
public final class ModelCard {

  public static final String HTML = "model-card.html";
  public static final String ROC = "roc.png";
  public static final String CALIBRATION = "calibration.png";
  public static final String IMPORTANCE = "importance.png";

  private final ModelMetadata metadata;
  private final @Nullable Evaluation test;
  private final List<FeatureImportance> importance;
  private final List<String> notes;

  private ModelCard(
      ModelMetadata metadata,
      @Nullable Evaluation test,
      List<FeatureImportance> importance,
      List<String> notes) {
    this.metadata = metadata;
    this.test = test;
    this.importance = importance;
    this.notes = notes;
  }

  /** A card for this metadata; name and version must already be known. */
  public static ModelCard of(ModelMetadata metadata) {
    if (metadata.name == null || metadata.version == null) {
      throw new IllegalArgumentException("a model card needs the version's name and number");
    }
    return new ModelCard(metadata, null, List.of(), List.of());
  }

  /** Adds the ROC curve, calibration plot and table of the test split. */
  public ModelCard withTestEvaluation(Evaluation test) {
    return new ModelCard(metadata, test, importance, notes);
  }

  public ModelCard withImportance(List<FeatureImportance> importance) {
    return new ModelCard(metadata, test, List.copyOf(importance), notes);
  }

  public ModelCard withNote(String note) {
    List<String> more = new ArrayList<>(notes);
    more.add(note);
    return new ModelCard(metadata, test, importance, more);
  }

  /** File name to bytes: the HTML page and the PNGs it references. */
  public Map<String, byte[]> render() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (test != null) {
      files.put(ROC, Charts.roc(test.roc(), test.auc()));
      files.put(CALIBRATION, Charts.calibration(test.calibration()));
    }
    if (!importance.isEmpty()) {
      files.put(IMPORTANCE, Charts.importance(importance));
    }
    files.put(HTML, html(files.keySet()).getBytes(StandardCharsets.UTF_8));
    return files;
  }

  private String html(Set<String> images) {
    StringBuilder b = new StringBuilder();
    String title = "Model card: " + metadata.name + ":" + metadata.version;
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(Html.escape(title))
        .append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}")
        .append(
            "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
        .append(
            "td.n{text-align:right;font-family:monospace}code,pre{font-size:90%}img{max-width:100%;margin:0.5em 0}")
        .append("\n</style>\n</head>\n<body>\n<h1>")
        .append(Html.escape(title))
        .append("</h1>\n");

    b.append("<h2>Version</h2>\n<table>\n");
    row(b, "name", metadata.name);
    row(b, "version", metadata.version);
    row(b, "created", metadata.createdAt);
    row(b, "origin", metadata.origin);
    row(b, "code version", metadata.codeVersion);
    row(b, "model file", metadata.modelFile + " (" + metadata.modelFormat + ")");
    row(b, "XGBoost version", xgboostReaders(metadata.xgboostVersion));
    row(b, "model SHA-256", metadata.sha256);
    row(b, "feature spec fingerprint", metadata.specFingerprint);
    row(b, "training data fingerprint", metadata.trainingDataFingerprint);
    row(
        b,
        "training rows",
        metadata.trainingRows == null || metadata.trainingRows.isEmpty()
            ? null
            : metadata.trainingRows.toString());
    b.append("</table>\n");

    b.append("<h2>Metrics</h2>\n");
    if (metadata.metrics == null || metadata.metrics.isEmpty()) {
      b.append(
          "<p>Not evaluated: no test set was given, so the promotion gate will refuse this version without --force.</p>\n");
    } else {
      b.append("<table>\n<tr><th>metric</th><th>value</th></tr>\n");
      for (Map.Entry<String, Double> m : metadata.metrics.entrySet()) {
        b.append("<tr><td>")
            .append(Html.escape(m.getKey()))
            .append("</td><td class=\"n\">")
            .append(number(m.getKey(), m.getValue()))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    if (test != null) {
      b.append(
          String.format(
              Locale.ROOT,
              "<p>Test split: %d rows, %d positives (base rate %.4f). AUC %.4f; log loss %.4f against %.4f for predicting the base rate.</p>\n",
              test.rows(),
              test.positives(),
              test.baseRate(),
              test.auc(),
              test.logLoss(),
              test.baselineLogLoss()));
      OracleAuc oracle = test.oracle();
      if (oracle != null) {
        b.append(
            String.format(
                Locale.ROOT,
                "<p>Oracle: the true probabilities reach AUC %.4f on %d test rows, where the model reaches %.4f%s.</p>\n",
                oracle.auc(),
                oracle.rows(),
                oracle.modelAuc(),
                oracle.unmatched() > 0 ? " (" + oracle.unmatched() + " rows had no truth)" : ""));
      }
    }
    for (String note : notes) {
      b.append("<p>").append(Html.escape(note)).append("</p>\n");
    }

    if (images.contains(ROC)) {
      b.append("<h2>ROC curve</h2>\n<img src=\"")
          .append(ROC)
          .append("\" alt=\"ROC curve of the test split\">\n");
    }
    if (images.contains(CALIBRATION) && test != null) {
      b.append("<h2>Calibration</h2>\n<img src=\"")
          .append(CALIBRATION)
          .append("\" alt=\"calibration plot of the test split\">\n");
      b.append(
          "<table>\n<tr><th>predicted</th><th>rows</th><th>mean predicted</th><th>observed rate</th></tr>\n");
      for (CalibrationBin bin : test.calibration()) {
        b.append(
            String.format(
                Locale.ROOT,
                "<tr><td>%.1f &ndash; %.1f</td><td class=\"n\">%d</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                bin.lower(),
                bin.upper(),
                bin.count(),
                bin.count() == 0 ? "&ndash;" : fixed(bin.meanPredicted()),
                bin.count() == 0 ? "&ndash;" : fixed(bin.observedRate())));
      }
      b.append("</table>\n");
    }
    if (images.contains(IMPORTANCE)) {
      b.append("<h2>Feature importance</h2>\n<img src=\"")
          .append(IMPORTANCE)
          .append("\" alt=\"feature importance by total gain\">\n");
      b.append("<table>\n<tr><th>feature</th><th>total gain</th></tr>\n");
      for (FeatureImportance f : importance) {
        b.append("<tr><td>")
            .append(Html.escape(f.feature()))
            .append("</td><td class=\"n\">")
            .append(fixed(f.gain()))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }

    b.append("<h2>Features (model column order)</h2>\n<ol>\n");
    for (String f : metadata.featureNames) {
      b.append("<li><code>").append(Html.escape(f)).append("</code></li>\n");
    }
    b.append("</ol>\n");

    b.append("<h2>Parameters</h2>\n");
    if (metadata.params == null || metadata.params.isEmpty()) {
      b.append("<p>Not known (imported model).</p>\n");
    } else {
      b.append("<table>\n");
      for (Map.Entry<String, Object> p : metadata.params.entrySet()) {
        row(b, p.getKey(), String.valueOf(p.getValue()));
      }
      b.append("</table>\n");
    }
    if (metadata.featureSpec != null) {
      b.append("<h2>Feature spec</h2>\n<details><summary>canonical JSON</summary><pre>")
          .append(Html.escape(metadata.featureSpec))
          .append("</pre></details>\n");
    }
    b.append("</body>\n</html>\n");
    return b.toString();
  }

  /** Which readers score the stored file as trained: base_score's form changed in XGBoost 3.1. */
  private static String xgboostReaders(@Nullable String version) {
    if (version == null) {
      return "unknown; check the file's readers before scoring it outside beamml";
    }
    if (XgboostModelFile.readableByOlderReaders(version)) {
      return version + " (written before 3.1: XGBoost 1.0 and later read the stored file as is)";
    }
    return version
        + " (XGBoost 3.1 and later read the stored file as is; for older readers, e.g. Python xgboost 1.7, "
        + "use ./pipeline export-model --format=legacy-json)";
  }

  private static void row(StringBuilder b, String key, @Nullable String value) {
    b.append("<tr><th>")
        .append(Html.escape(key))
        .append("</th><td>")
        .append(value == null ? "&ndash;" : Html.escape(value))
        .append("</td></tr>\n");
  }

  /** Counts (best_iteration, oracle_rows) as whole numbers, everything else to four places. */
  private static String number(String metric, double v) {
    if ((metric.endsWith("_iteration") || metric.endsWith("_rows") || metric.endsWith("_run"))
        && v == Math.rint(v)) {
      return Long.toString((long) v);
    }
    return fixed(v);
  }

  private static String fixed(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
