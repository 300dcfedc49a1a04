package io.beamml.training;

import io.beamml.inference.LoadedModel;
import io.beamml.inference.ModelKey;
import io.beamml.inference.registry.AliasChange;
import io.beamml.inference.registry.AliasConflictException;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.data.TrainingSet;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.transforms.features.FeatureSpec;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Moves an alias (by default {@code champion}) to a version if the {@link PromotionGate} lets it,
 * and records the move with the gate's verdict in the alias history. {@code --force} overrides a
 * refusal and is recorded as forced. Returns the decision ({@link Promotion}); the CLI prints it.
 */
public final class PromoteModel {

  private PromoteModel() {}

  /**
   * @throws AliasConflictException when another writer moved the alias after this run read it
   */
  public static Promotion run(PromoteOptions options) {
    return run(options, false);
  }

  /**
   * With {@code recordRefusal}, a refusal is written to the alias history too (the alias stays), so
   * a scheduled retrain leaves a line for every decision.
   */
  public static Promotion run(PromoteOptions options, boolean recordRefusal) {
    FileSystems.setDefaultPipelineOptions(options);
    ModelRegistry registry = ModelRegistry.at(options.getRegistry());
    ModelRef ref = ModelRef.parse(options.getModel());
    String name = ref.name();
    String version = registry.resolve(ref);
    ModelMetadata candidate = registry.metadata(name, version);
    String alias = options.getAlias();
    String holderVersion = registry.aliases(name).get(alias);
    String candidateLabel = name + ":" + version;
    if (version.equals(holderVersion)) {
      return new Promotion(name, alias, version, holderVersion, null, null);
    }
    ModelMetadata holder = holderVersion == null ? null : registry.metadata(name, holderVersion);
    String holderLabel = holder == null ? null : name + ":" + holderVersion;

    Double candidateAuc;
    Double holderAuc;
    String basis;
    if (options.getTestSet() == null) {
      candidateAuc = candidate.metrics.get(ModelEvaluation.TEST_AUC);
      holderAuc = holder == null ? null : holder.metrics.get(ModelEvaluation.TEST_AUC);
      basis = "recorded AUCs, each on its own test split";
    } else {
      TrainingSet set = readFor(candidate, options.getTestSet());
      candidateAuc = testAuc(registry, candidate, set);
      holderAuc = holder == null ? null : testAuc(registry, holder, set);
      basis = "both scored on the test split of " + set.location();
    }

    double minAuc =
        options.getMinAuc() == null ? PromotionGate.DEFAULT_MIN_AUC : options.getMinAuc();
    GateVerdict verdict =
        PromotionGate.of(minAuc, options.getMaxAucDrop())
            .check(alias, candidateLabel, candidateAuc, holderLabel, holderAuc, basis);
    String given =
        options.getReason() == null || options.getReason().isBlank()
            ? ""
            : options.getReason() + "; ";
    if (!verdict.passed() && !options.getForce()) {
      AliasChange refusal =
          recordRefusal
              ? registry.recordRefusal(
                  name,
                  alias,
                  holderVersion,
                  version,
                  given + "gate refused: " + verdict.explanation())
              : null;
      return new Promotion(name, alias, version, holderVersion, verdict, refusal);
    }
    String reason =
        given
            + (verdict.passed() ? "gate passed: " : "forced past the gate: ")
            + verdict.explanation();
    // Compare-and-set against the holder the gate compared with: a concurrent promote that moved
    // the alias first makes this one fail (AliasConflictException) rather than overwrite it.
    AliasChange change =
        registry.moveAliasIfAt(name, alias, holderVersion, version, !verdict.passed(), reason);
    return new Promotion(name, alias, version, holderVersion, verdict, change);
  }

  /** The candidate's spec reads the set, so a set without spec.json needs no default to agree. */
  private static TrainingSet readFor(ModelMetadata candidate, String dir) {
    TrainingSetReader reader = TrainingSetReader.of(dir);
    if (candidate.featureSpec != null) {
      reader = reader.withSpec(FeatureSpec.fromJson(candidate.featureSpec));
    }
    return reader.read().requireAllSplits();
  }

  private static double testAuc(ModelRegistry registry, ModelMetadata m, TrainingSet set) {
    if (m.specFingerprint != null && !m.specFingerprint.equals(set.spec().fingerprint())) {
      throw new IllegalArgumentException(
          m.name
              + ":"
              + m.version
              + " was trained under feature spec "
              + m.specFingerprint
              + " but "
              + set.location()
              + " is built under "
              + set.spec().fingerprint()
              + ": they cannot be compared on it; promote without --testSet");
    }
    if (m.featureNames.size() != set.featureNames().size()) {
      throw new IllegalArgumentException(
          m.name
              + ":"
              + m.version
              + " expects features "
              + m.featureNames
              + " but "
              + set.location()
              + " has "
              + set.featureNames());
    }
    try (LoadedModel served =
        LoadedModel.load(new ModelKey(registry.root(), m.name, m.version), set.spec())) {
      return ModelEvaluation.testAuc(served, set);
    }
  }
}
