package io.beamml.training;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.card.ModelCard;
import io.beamml.training.data.TrainingSet;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.training.evaluation.BoosterScorer;
import io.beamml.training.evaluation.Evaluation;
import io.beamml.training.evaluation.FeatureImportance;
import io.beamml.training.evaluation.OracleAuc;
import io.beamml.training.evaluation.TruthFile;
import io.beamml.training.interop.XgboostModelFile;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code train}: reads a training set, trains with early stopping, evaluates on the test split,
 * renders the model card and registers the result as the model's next version. Registering does
 * not promote: moving an alias is {@link PromoteCommand}'s job, behind the gate.
 */
public final class TrainCommand {

  private TrainCommand() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(TrainOptions.class);
    run(PipelineOptionsFactory.fromArgs(args).withValidation().as(TrainOptions.class));
  }

  public static ModelMetadata run(TrainOptions options) {
    return run(options, System.out);
  }

  public static ModelMetadata run(TrainOptions options, PrintStream out) {
    return run(options, null, out);
  }

  /**
   * With {@code key}, the HMAC key the training set was built with, the truth file joins on promo
   * id and customer key rather than promo id alone.
   */
  public static ModelMetadata run(TrainOptions options, @Nullable HmacKey key, PrintStream out) {
    FileSystems.setDefaultPipelineOptions(options);
    String name = ModelRef.version(options.getModelName(), "1").name();
    ModelRegistry registry = ModelRegistry.at(options.getRegistry());
    TrainingParams params = TrainingParams.resolve(options.getParamsFile(), options.getParam());
    TrainingSet set = TrainingSetReader.of(options.getTrainingSet()).read().requireAllSplits();
    TruthFile truth = options.getTruthFile() == null ? null : TruthFile.read(options.getTruthFile());
    if (truth != null && key != null) {
      truth = truth.keyedBy(key);
    }

    try (TrainedModel model = Trainer.with(params).train(set)) {
      ModelEvaluation evaluation = ModelEvaluation.of(BoosterScorer.of(model.booster()), set, truth);
      Evaluation test = evaluation.test();
      Double minAuc = options.getMinAuc();
      if (minAuc != null && test.auc() < minAuc) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT, "test AUC %.4f is below --minAuc=%.4f: %s was not registered", test.auc(), minAuc, name));
      }
      List<FeatureImportance> importance = FeatureImportance.totalGain(model.booster(), set.featureNames());
      ReferenceProfile reference = ReferenceProfile.fromTraining(set);

      ModelMetadata template = new ModelMetadata();
      template.featureNames = set.featureNames();
      template.specFingerprint = set.spec().fingerprint();
      template.featureSpec = set.spec().toCanonicalJson();
      template.params = new LinkedHashMap<>(params.all());
      Map<String, Double> metrics = evaluation.metrics();
      metrics.put(ModelEvaluation.BEST_ITERATION, (double) model.bestIteration());
      metrics.put("rounds_run", (double) model.roundsRun());
      template.metrics = metrics;
      template.trainingDataFingerprint = set.fingerprint();
      template.trainingRows = set.rowCounts();
      template.codeVersion = CodeVersion.get();
      template.origin = "trained";

      String note =
          String.format(
              Locale.ROOT,
              "Trained on %s. Early stopping on validation %s: best iteration %d of %d rounds run (at most %d, patience %d); the stored model holds exactly %d trees.",
              set.location(), model.metric(), model.bestIteration(), model.roundsRun(), model.maxRounds(),
              params.earlyStoppingRounds(), model.bestIteration() + 1);
      byte[] modelBytes = model.booster().toByteArray("json");
      template.xgboostVersion = XgboostModelFile.writerVersion(modelBytes, "json");
      ModelMetadata registered =
          VersionWriter.register(
              registry, name, modelBytes, "json", template,
              m -> ModelCard.of(m).withTestEvaluation(test).withImportance(importance).withNote(note),
              Map.of(ReferenceProfile.FILE, reference.toJson()));
      print(out, registered, set, model, test);
      return registered;
    } catch (XGBoostError e) {
      throw new IllegalStateException("cannot serialise the trained model: " + e.getMessage(), e);
    }
  }

  private static void print(PrintStream out, ModelMetadata m, TrainingSet set, TrainedModel model, Evaluation test) {
    out.printf(Locale.ROOT, "registered %s:%s (%s)%n", m.name, m.version, m.modelFile);
    out.printf(Locale.ROOT, "  rows            %s, data fingerprint %s%n", set.rowCounts(), set.fingerprint());
    out.printf(
        Locale.ROOT, "  early stopping  best iteration %d of %d rounds run (validation %s)%n",
        model.bestIteration(), model.roundsRun(), model.metric());
    out.printf(Locale.ROOT, "  test AUC        %.4f%n", test.auc());
    OracleAuc oracle = test.oracle();
    if (oracle != null) {
      out.printf(
          Locale.ROOT, "  oracle AUC      %.4f (true probabilities, %d test rows; model %.4f on the same rows)%n",
          oracle.auc(), oracle.rows(), oracle.modelAuc());
    } else {
      out.printf(Locale.ROOT, "  oracle AUC      unknown (no --truthFile)%n");
    }
    out.printf(
        Locale.ROOT, "  test log loss   %.4f (base rate %.4f, base-rate log loss %.4f)%n",
        test.logLoss(), test.baseRate(), test.baselineLogLoss());
    out.printf(Locale.ROOT, "  calibration (test split):%n");
    for (String line : test.calibrationTable().split("\n")) {
      out.println("    " + line);
    }
    out.printf(Locale.ROOT, "  model card      %s%n", ModelCard.HTML);
    out.printf(
        Locale.ROOT, "  drift reference %s (histograms of the %d train rows)%n", ReferenceProfile.FILE, set.train().rows());
  }
}
