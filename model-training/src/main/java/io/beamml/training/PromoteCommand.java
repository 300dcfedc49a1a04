package io.beamml.training;

import io.beamml.inference.registry.AliasChange;
import io.beamml.inference.registry.AliasConflictException;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.data.TrainingSet;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.training.evaluation.BoosterScorer;
import io.beamml.training.evaluation.Evaluation;
import io.beamml.transforms.features.FeatureSpec;
import java.io.IOException;
import java.io.PrintStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code promote}: moves an alias (by default {@code champion}) to a version if the
 * {@link PromotionGate} lets it, and records the move with the gate's verdict in the alias
 * history. {@code --force} overrides a refusal and is recorded as forced.
 */
public final class PromoteCommand {

  /**
   * Exit code of a promote that lost a compare-and-set to a concurrent one (EX_TEMPFAIL of
   * sysexits.h: re-running decides again against the new holder).
   */
  public static final int ALIAS_CONFLICT_EXIT_CODE = 75;

  private PromoteCommand() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(PromoteOptions.class);
    try {
      run(PipelineOptionsFactory.fromArgs(args).withValidation().as(PromoteOptions.class));
    } catch (PromotionRefusedException e) {
      System.err.println(e.getMessage());
      System.exit(PromotionRefusedException.EXIT_CODE);
    } catch (AliasConflictException e) {
      System.err.println("promote lost a race: " + e.getMessage());
      System.exit(ALIAS_CONFLICT_EXIT_CODE);
    }
  }

  /**
   * @return the recorded move, or null when the alias already pointed at the candidate
   * @throws PromotionRefusedException when the gate refuses and --force is not set
   * @throws AliasConflictException when another writer moved the alias after this run read it
   */
  public static @Nullable AliasChange run(PromoteOptions options) {
    return run(options, System.out);
  }

  public static @Nullable AliasChange run(PromoteOptions options, PrintStream out) {
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
      out.printf("%s@%s already points at %s: nothing to do%n", name, alias, candidateLabel);
      return null;
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

    double minAuc = options.getMinAuc() == null ? PromotionGate.DEFAULT_MIN_AUC : options.getMinAuc();
    GateVerdict verdict =
        PromotionGate.of(minAuc, options.getMaxAucDrop())
            .check(alias, candidateLabel, candidateAuc, holderLabel, holderAuc, basis);
    if (!verdict.passed() && !options.getForce()) {
      throw new PromotionRefusedException(verdict.explanation());
    }
    String reason =
        (options.getReason() == null || options.getReason().isBlank() ? "" : options.getReason() + "; ")
            + (verdict.passed() ? "gate passed: " : "forced past the gate: ")
            + verdict.explanation();
    // Compare-and-set against the holder the gate compared with: a concurrent promote that moved
    // the alias first makes this one fail (AliasConflictException) rather than overwrite it.
    AliasChange change = registry.moveAliasIfAt(name, alias, holderVersion, version, !verdict.passed(), reason);
    out.printf(
        "%s@%s: %s -> %s%s%n  %s%n",
        name, alias, change.fromVersion == null ? "(none)" : change.fromVersion, change.toVersion,
        change.forced ? " (FORCED)" : "", reason);
    return change;
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
          m.name + ":" + m.version + " was trained under feature spec " + m.specFingerprint + " but " + set.location()
              + " is built under " + set.spec().fingerprint() + ": they cannot be compared on it; promote without --testSet");
    }
    if (m.featureNames.size() != set.featureNames().size()) {
      throw new IllegalArgumentException(
          m.name + ":" + m.version + " expects features " + m.featureNames + " but " + set.location() + " has " + set.featureNames());
    }
    Booster booster = load(registry, m);
    try {
      float[] scores = BoosterScorer.of(booster).score(set.test().features(), set.test().rows(), set.test().columns());
      return Evaluation.of(scores, set.test().labels()).auc();
    } finally {
      booster.dispose();
    }
  }

  static Booster load(ModelRegistry registry, ModelMetadata m) {
    try {
      return XGBoost.loadModel(registry.readVerifiedModel(m));
    } catch (XGBoostError | IOException e) {
      throw new IllegalStateException("cannot load " + m.name + ":" + m.version + ": " + e.getMessage(), e);
    }
  }
}
