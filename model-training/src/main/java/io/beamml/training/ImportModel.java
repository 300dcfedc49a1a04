package io.beamml.training;

import io.beamml.inference.LoadedModel;
import io.beamml.inference.ModelKey;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.registry.RegistryFiles;
import io.beamml.training.card.ModelCard;
import io.beamml.training.data.TrainingSet;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.training.evaluation.FeatureImportance;
import io.beamml.training.evaluation.TruthFile;
import io.beamml.training.interop.XgboostModelFile;
import io.beamml.transforms.features.FeatureSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Imports an XGBoost model trained elsewhere (e.g. in Python) as a new version with origin
 * "imported". The file is stored byte for byte after checking that XGBoost4J loads it and that its
 * columns are the feature spec's. Without {@code --testSet} it has no metrics, and the promotion
 * gate will not pass it; with one, it is evaluated like a trained model, through the serving
 * scorer. Backs {@code ./pipeline register}, which prints the result.
 */
public final class ImportModel {

  private ImportModel() {}

  public static ImportedVersion run(RegisterOptions options) {
    FileSystems.setDefaultPipelineOptions(options);
    String name = ModelRef.version(options.getModelName(), "1").name();
    ModelRegistry registry = ModelRegistry.at(options.getRegistry());
    String file = options.getModelFile();
    String format = formatOf(file);
    byte[] bytes;
    try {
      bytes = RegistryFiles.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model file " + file, e);
    }
    FeatureSpec spec = FeatureSpec.loadOrDefault(options.getFeatureSpec());
    List<String> names = featureNames(options.getFeatureNames(), spec);

    Booster booster = loadBooster(bytes, file, format);
    try {
      checkColumns(booster, names, file);
      ModelMetadata template = new ModelMetadata();
      template.featureNames = names;
      template.specFingerprint = spec.fingerprint();
      template.featureSpec = spec.toCanonicalJson();
      template.codeVersion = CodeVersion.get();
      template.origin = "imported";
      template.xgboostVersion = XgboostModelFile.writerVersion(bytes, format);
      List<FeatureImportance> importance = FeatureImportance.totalGain(booster, names);
      String note =
          "Imported from "
              + file
              + "; trained outside beamml, so its parameters and training data are not known.";

      ModelEvaluation evaluation = null;
      String evaluatedNote = null;
      if (options.getTestSet() != null) {
        TrainingSet set = TrainingSetReader.of(options.getTestSet()).withSpec(spec).read();
        TruthFile truth =
            options.getTruthFile() == null ? null : TruthFile.read(options.getTruthFile());
        template.modelFormat = format;
        try (LoadedModel served =
            LoadedModel.of(new ModelKey(registry.root(), name, "import"), template, bytes, spec)) {
          evaluation = ModelEvaluation.of(served, set, truth);
        }
        template.metrics = evaluation.metrics();
        evaluatedNote =
            "Evaluated at import on "
                + set.location()
                + " (data fingerprint "
                + set.fingerprint()
                + ", rows "
                + set.rowCounts()
                + ").";
      }
      ModelEvaluation evaluated = evaluation;
      String evaluatedText = evaluatedNote;
      ModelMetadata registered =
          VersionWriter.register(
              registry,
              name,
              bytes,
              format,
              template,
              m -> {
                ModelCard card = ModelCard.of(m).withImportance(importance).withNote(note);
                return evaluated == null
                    ? card
                    : card.withTestEvaluation(evaluated.test()).withNote(evaluatedText);
              });
      return new ImportedVersion(registered, file, evaluated);
    } finally {
      booster.dispose();
    }
  }

  private static String formatOf(String file) {
    String lower = file.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".json")) {
      return "json";
    }
    if (lower.endsWith(".ubj")) {
      return "ubj";
    }
    throw new IllegalArgumentException(
        "--modelFile must be an XGBoost .json or .ubj model (saved with save_model), got " + file);
  }

  private static List<String> featureNames(List<String> given, FeatureSpec spec) {
    List<String> specNames = spec.featureNames();
    if (given == null || given.isEmpty()) {
      return specNames;
    }
    if (!given.equals(specNames)) {
      throw new IllegalArgumentException(
          "--featureNames "
              + given
              + " are not the feature spec's columns "
              + specNames
              + " (spec "
              + spec
              + "): scoring builds columns in spec order, so pass --featureSpec=FILE with the spec the model was trained under");
    }
    return List.copyOf(given);
  }

  private static Booster loadBooster(byte[] bytes, String file, String format) {
    try {
      return XGBoost.loadModel(bytes);
    } catch (XGBoostError | IOException e) {
      throw new IllegalArgumentException(
          "XGBoost4J cannot load "
              + file
              + " as a "
              + format
              + " model: "
              + firstLine(e.getMessage()),
          e);
    }
  }

  private static void checkColumns(Booster booster, List<String> names, String file) {
    try {
      long expected = booster.getNumFeature();
      if (expected != names.size()) {
        throw new IllegalArgumentException(
            file
                + " was trained on "
                + expected
                + " features but "
                + names.size()
                + " feature names were given: "
                + names);
      }
      String[] own = booster.getFeatureNames();
      if (own != null
          && own.length > 0
          && Arrays.stream(own).anyMatch(Objects::nonNull)
          && !Arrays.asList(own).equals(names)) {
        throw new IllegalArgumentException(
            file
                + " names its features "
                + Arrays.toString(own)
                + " but the given columns are "
                + names);
      }
    } catch (XGBoostError e) {
      throw new IllegalStateException("cannot inspect " + file + ": " + e.getMessage(), e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
