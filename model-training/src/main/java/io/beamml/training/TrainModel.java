package io.beamml.training;

import io.beamml.inference.LoadedModel;
import io.beamml.inference.ModelKey;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.card.ModelCard;
import io.beamml.training.data.TrainingSet;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.training.drift.ReferenceProfile;
import io.beamml.training.evaluation.Evaluation;
import io.beamml.training.evaluation.FeatureImportance;
import io.beamml.training.evaluation.TruthFile;
import io.beamml.training.interop.XgboostModelFile;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.beam.sdk.io.FileSystems;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Trains on a training set with early stopping, evaluates the stored model bytes on the test split
 * through the serving scorer, renders the model card and registers the result as the model's next
 * version. Registering does not promote: moving an alias is {@link PromoteModel}'s job, behind the
 * gate. Returns what it did; the CLI ({@code runners}) prints it.
 */
public final class TrainModel {

  private TrainModel() {}

  public static TrainedVersion run(TrainOptions options) {
    return run(options, null);
  }

  /**
   * With {@code key}, the HMAC key the training set was built with, the truth file joins on promo
   * id and customer key rather than promo id alone.
   */
  public static TrainedVersion run(TrainOptions options, @Nullable HmacKey key) {
    FileSystems.setDefaultPipelineOptions(options);
    String name = ModelRef.version(options.getModelName(), "1").name();
    ModelRegistry registry = ModelRegistry.at(options.getRegistry());
    TrainingParams params = TrainingParams.resolve(options.getParamsFile(), options.getParam());
    TrainingSet set = TrainingSetReader.of(options.getTrainingSet()).read().requireAllSplits();
    TruthFile truth =
        options.getTruthFile() == null ? null : TruthFile.read(options.getTruthFile());
    if (truth != null && key != null) {
      truth = truth.keyedBy(key);
    }

    try (TrainedModel model = Trainer.with(params).train(set)) {
      ModelMetadata template = new ModelMetadata();
      template.featureNames = set.featureNames();
      template.specFingerprint = set.spec().fingerprint();
      template.featureSpec = set.spec().toCanonicalJson();
      template.params = new LinkedHashMap<>(params.all());
      template.trainingDataFingerprint = set.fingerprint();
      template.trainingRows = set.rowCounts();
      template.codeVersion = CodeVersion.get();
      template.origin = "trained";
      template.modelFormat = "json";
      byte[] modelBytes = model.booster().toByteArray("json");
      template.xgboostVersion = XgboostModelFile.writerVersion(modelBytes, "json");

      // Measured on the bytes that will be stored, loaded as serving loads them.
      ModelEvaluation evaluation;
      try (LoadedModel served =
          LoadedModel.of(
              new ModelKey(registry.root(), name, "candidate"), template, modelBytes, null)) {
        evaluation = ModelEvaluation.of(served, set, truth);
      }
      Evaluation test = evaluation.test();
      Double minAuc = options.getMinAuc();
      if (minAuc != null && test.auc() < minAuc) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "test AUC %.4f is below --minAuc=%.4f: %s was not registered",
                test.auc(),
                minAuc,
                name));
      }
      List<FeatureImportance> importance =
          FeatureImportance.totalGain(model.booster(), set.featureNames());
      ReferenceProfile reference = ReferenceProfile.fromTraining(set);
      Map<String, Double> metrics = evaluation.metrics();
      metrics.put(ModelEvaluation.BEST_ITERATION, (double) model.bestIteration());
      metrics.put("rounds_run", (double) model.roundsRun());
      template.metrics = metrics;

      String note =
          String.format(
              Locale.ROOT,
              "Trained on %s. Early stopping on validation %s: best iteration %d of %d rounds run (at most %d, patience %d); the stored model holds exactly %d trees.",
              set.location(),
              model.metric(),
              model.bestIteration(),
              model.roundsRun(),
              model.maxRounds(),
              params.earlyStoppingRounds(),
              model.bestIteration() + 1);
      ModelMetadata registered =
          VersionWriter.register(
              registry,
              name,
              modelBytes,
              "json",
              template,
              m ->
                  ModelCard.of(m)
                      .withTestEvaluation(test)
                      .withImportance(importance)
                      .withNote(note),
              Map.of(ReferenceProfile.FILE, reference.toJson()));
      return new TrainedVersion(
          registered,
          set.location(),
          set.rowCounts(),
          set.train().rows(),
          set.fingerprint(),
          model.metric(),
          model.bestIteration(),
          model.roundsRun(),
          test);
    } catch (XGBoostError e) {
      throw new IllegalStateException("cannot serialise the trained model: " + e.getMessage(), e);
    }
  }
}
