package io.beamml.runners.commands;

import io.beamml.inference.registry.AliasChange;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.training.ExportModel;
import io.beamml.training.ImportedVersion;
import io.beamml.training.ModelEvaluation;
import io.beamml.training.Promotion;
import io.beamml.training.TrainedVersion;
import io.beamml.training.card.ModelCard;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.training.evaluation.Evaluation;
import io.beamml.training.evaluation.OracleAuc;
import io.beamml.training.interop.ModelExport;
import java.io.PrintStream;
import java.util.Locale;

/**
 * What train, promote, register and export-model print: the CLI's rendering of the library's
 * results.
 */
public final class ModelCommandOutput {

  private ModelCommandOutput() {}

  public static void trained(PrintStream out, TrainedVersion t) {
    ModelMetadata m = t.metadata();
    Evaluation test = t.test();
    out.printf(Locale.ROOT, "registered %s:%s (%s)%n", m.name, m.version, m.modelFile);
    out.printf(
        Locale.ROOT,
        "  rows            %s, data fingerprint %s%n",
        t.rowCounts(),
        t.dataFingerprint());
    out.printf(
        Locale.ROOT,
        "  early stopping  best iteration %d of %d rounds run (validation %s)%n",
        t.bestIteration(),
        t.roundsRun(),
        t.metric());
    out.printf(Locale.ROOT, "  test AUC        %.4f%n", test.auc());
    OracleAuc oracle = test.oracle();
    if (oracle != null) {
      out.printf(
          Locale.ROOT,
          "  oracle AUC      %.4f (true probabilities, %d test rows; model %.4f on the same rows)%n",
          oracle.auc(),
          oracle.rows(),
          oracle.modelAuc());
    } else {
      out.printf(Locale.ROOT, "  oracle AUC      unknown (no --truthFile)%n");
    }
    out.printf(
        Locale.ROOT,
        "  test log loss   %.4f (base rate %.4f, base-rate log loss %.4f)%n",
        test.logLoss(),
        test.baseRate(),
        test.baselineLogLoss());
    out.printf(Locale.ROOT, "  calibration (test split):%n");
    for (String line : test.calibrationTable().split("\n")) {
      out.println("    " + line);
    }
    out.printf(Locale.ROOT, "  model card      %s%n", ModelCard.HTML);
    out.printf(
        Locale.ROOT,
        "  drift reference %s (histograms of the %d train rows)%n",
        ReferenceProfile.FILE,
        t.trainRows());
  }

  /** A refusal goes to {@code err}, everything else to {@code out}. */
  public static void promotion(PrintStream out, PrintStream err, Promotion p) {
    if (p.alreadyThere()) {
      out.printf(
          "%s@%s already points at %s:%s: nothing to do%n",
          p.name(), p.alias(), p.name(), p.candidateVersion());
      return;
    }
    if (p.refused()) {
      err.println(
          "promotion refused: "
              + p.verdict().explanation()
              + " (--force moves the alias anyway and records forced=true)");
      if (p.change() != null) {
        out.printf(
            "%s@%s stays at %s; the refusal is in the alias history%n",
            p.name(), p.alias(), holder(p.holderVersion()));
      }
      return;
    }
    AliasChange change = p.change();
    out.printf(
        "%s@%s: %s -> %s%s%n  %s%n",
        p.name(),
        p.alias(),
        holder(change.fromVersion),
        change.toVersion,
        change.forced ? " (FORCED)" : "",
        change.reason);
  }

  public static void imported(PrintStream out, ImportedVersion v) {
    ModelMetadata m = v.metadata();
    out.printf(
        Locale.ROOT,
        "registered %s:%s (imported %s, %d features)%n",
        m.name,
        m.version,
        v.modelFile(),
        m.featureNames.size());
    ModelEvaluation evaluated = v.evaluation();
    if (evaluated == null) {
      out.println(
          "  not evaluated: the promotion gate refuses it without --force; register with --testSet=DIR to evaluate");
      return;
    }
    out.printf(
        Locale.ROOT,
        "  test AUC %.4f, test log loss %.4f (base-rate log loss %.4f)%n",
        evaluated.test().auc(),
        evaluated.test().logLoss(),
        evaluated.test().baselineLogLoss());
    if (evaluated.test().oracle() != null) {
      out.printf(Locale.ROOT, "  oracle AUC %.4f%n", evaluated.test().oracle().auc());
    }
  }

  public static void exported(PrintStream out, ExportModel.Exported e) {
    ModelMetadata m = e.metadata();
    out.printf(
        Locale.ROOT,
        "exported %s:%s (written by XGBoost %s) as %s to %s%n",
        m.name,
        m.version,
        m.xgboostVersion == null ? "unknown" : m.xgboostVersion,
        e.format().flag(),
        e.output());
    out.printf(
        Locale.ROOT,
        "  checked: XGBoost4J scores the export within %.1g of the registered model on %d probe rows (max difference %.3g)%n",
        ModelExport.TOLERANCE,
        e.result().probeRows(),
        e.result().maxDifference());
  }

  private static String holder(String version) {
    return version == null ? "(none)" : version;
  }
}
