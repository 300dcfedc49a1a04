package io.beamml.inference;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.features.FeatureVectorizer;
import java.io.IOException;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A model version ready to score: its Booster, its metadata and the vectorizer of the feature spec
 * it was trained under, so rows are laid out exactly as in training.
 *
 * <p>Thread safety: one instance is shared by every DoFn and thread of a JVM. XGBoost documents
 * prediction (plain, in-place and SHAP) on a tree booster as thread safe since 1.4, as long as
 * nobody changes the booster meanwhile; this class never sets parameters after loading and {@link
 * #close()} is only called by {@link ModelCache} once the last user has released it. Models are
 * expected to be tree boosters (gbtree or dart), which is what the trainer writes.
 *
 * <p>Each predict call runs on {@link #PREDICT_THREADS} thread: the runner already scores on
 * several DoFn threads per worker, and XGBoost's OpenMP pool spinning on every core for every call
 * oversubscribes them; on a loaded 2-core machine one thread per call scored about ten times more
 * rows per second than XGBoost's default.
 */
public final class LoadedModel implements AutoCloseable {

  /** Threads per predict call; parallelism comes from the runner's threads, not from OpenMP. */
  public static final int PREDICT_THREADS = 1;

  /** The value XGBoost treats as missing; the vectorizer writes it for absent features. */
  public static final float MISSING = Float.NaN;

  private final ModelKey key;
  private final ModelMetadata metadata;
  private final Booster booster;
  private final FeatureSpec spec;
  private final FeatureVectorizer vectorizer;
  private final String specFingerprint;
  private final long loadMillis;

  private LoadedModel(
      ModelKey key,
      ModelMetadata metadata,
      Booster booster,
      FeatureSpec spec,
      String specFingerprint,
      long loadMillis) {
    this.key = key;
    this.metadata = metadata;
    this.booster = booster;
    this.spec = spec;
    this.vectorizer = new FeatureVectorizer(spec);
    this.specFingerprint = specFingerprint;
    this.loadMillis = loadMillis;
  }

  /**
   * Reads a version from the registry, refuses it unless its bytes match the registered SHA-256,
   * and builds the Booster. {@code pipelineSpec} is only used for an imported model whose metadata
   * carries no feature spec; its feature names must then equal the model's.
   */
  public static LoadedModel load(ModelKey key, @Nullable FeatureSpec pipelineSpec) {
    long start = System.nanoTime();
    ModelRegistry registry = ModelRegistry.at(key.registryRoot());
    ModelMetadata metadata = registry.metadata(key.name(), key.version());
    return of(key, metadata, registry.readVerifiedModel(metadata), pipelineSpec, start);
  }

  /**
   * The same model from bytes the caller holds and vouches for (e.g. a model just trained and about
   * to be registered), so evaluation scores through exactly the path serving uses.
   */
  public static LoadedModel of(
      ModelKey key, ModelMetadata metadata, byte[] modelBytes, @Nullable FeatureSpec pipelineSpec) {
    return of(key, metadata, modelBytes, pipelineSpec, System.nanoTime());
  }

  private static LoadedModel of(
      ModelKey key,
      ModelMetadata metadata,
      byte[] bytes,
      @Nullable FeatureSpec pipelineSpec,
      long start) {
    FeatureSpec spec = specOf(key, metadata, pipelineSpec);
    String fingerprint =
        metadata.specFingerprint != null ? metadata.specFingerprint : spec.fingerprint();
    Booster booster;
    try {
      booster = XGBoost.loadModel(bytes);
    } catch (XGBoostError | IOException e) {
      throw new IllegalStateException(
          "cannot load model " + key + " (" + metadata.modelFormat + "): " + e.getMessage(), e);
    }
    try {
      // Set before the booster is shared: changing parameters while others predict is unsafe.
      booster.setParam("nthread", PREDICT_THREADS);
      long columns = booster.getNumFeature();
      if (columns != spec.featureNames().size()) {
        throw new IllegalStateException(
            "model "
                + key
                + " expects "
                + columns
                + " features but its spec "
                + spec
                + " defines "
                + spec.featureNames().size());
      }
    } catch (XGBoostError e) {
      booster.dispose();
      throw new IllegalStateException("cannot inspect model " + key + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      booster.dispose();
      throw e;
    }
    return new LoadedModel(
        key, metadata, booster, spec, fingerprint, (System.nanoTime() - start) / 1_000_000);
  }

  private static FeatureSpec specOf(
      ModelKey key, ModelMetadata metadata, @Nullable FeatureSpec pipelineSpec) {
    List<String> modelNames = metadata.featureNames;
    if (metadata.featureSpec != null) {
      FeatureSpec spec = FeatureSpec.fromJson(metadata.featureSpec);
      if (metadata.specFingerprint != null
          && !metadata.specFingerprint.equals(spec.fingerprint())) {
        throw new IllegalStateException(
            "metadata of "
                + key
                + " records spec fingerprint "
                + metadata.specFingerprint
                + " but its stored spec has fingerprint "
                + spec.fingerprint());
      }
      if (modelNames != null && !modelNames.isEmpty() && !modelNames.equals(spec.featureNames())) {
        throw new IllegalStateException(
            "metadata of "
                + key
                + " lists features "
                + modelNames
                + " but its spec defines "
                + spec.featureNames());
      }
      return spec;
    }
    if (pipelineSpec == null) {
      throw new IllegalArgumentException(
          "model "
              + key
              + " was imported without a feature spec: pass the spec its features follow");
    }
    if (modelNames == null || !modelNames.equals(pipelineSpec.featureNames())) {
      throw new IllegalArgumentException(
          "imported model "
              + key
              + " expects features "
              + modelNames
              + " in that order, but the pipeline's spec "
              + pipelineSpec
              + " defines "
              + pipelineSpec.featureNames());
    }
    return pipelineSpec;
  }

  public ModelKey key() {
    return key;
  }

  public ModelMetadata metadata() {
    return metadata;
  }

  public FeatureSpec spec() {
    return spec;
  }

  public FeatureVectorizer vectorizer() {
    return vectorizer;
  }

  /** Number of columns of a row. */
  public int width() {
    return vectorizer.width();
  }

  /** The fingerprint rows must carry to be scored by this model. */
  public String specFingerprint() {
    return specFingerprint;
  }

  /** Wall time the load took: read, verify, parse. */
  public long loadMillis() {
    return loadMillis;
  }

  /** Scores of the first {@code nrow} rows of a row-major buffer (which may be longer). */
  public float[] predict(float[] rowsRowMajor, int nrow) {
    float[] scores = new float[nrow];
    predict(rowsRowMajor, nrow, scores);
    return scores;
  }

  /** Like {@link #predict(float[], int)}, writing into {@code dest} instead of a new array. */
  public void predict(float[] rowsRowMajor, int nrow, float[] dest) {
    checkRows(rowsRowMajor, nrow);
    if (nrow == 0) {
      return;
    }
    float[][] out;
    try {
      out = booster.inplace_predict(rowsRowMajor, nrow, width(), MISSING);
    } catch (XGBoostError e) {
      throw new ScoringException(
          "model " + key + " failed to score " + nrow + " rows: " + e.getMessage(), e);
    }
    for (int i = 0; i < nrow; i++) {
      dest[i] = out[i][0];
    }
  }

  /**
   * SHAP contributions (log-odds) of the first {@code nrow} rows: one array per row, one value per
   * feature in spec order, then the bias term last.
   */
  public float[][] contributions(float[] rowsRowMajor, int nrow) {
    checkRows(rowsRowMajor, nrow);
    if (nrow == 0) {
      return new float[0][];
    }
    DMatrix matrix = null;
    try {
      matrix = new DMatrix(rowsRowMajor, nrow, width(), MISSING);
      return booster.predictContrib(matrix, 0);
    } catch (XGBoostError e) {
      throw new ScoringException(
          "model " + key + " failed to explain " + nrow + " rows: " + e.getMessage(), e);
    } finally {
      if (matrix != null) {
        matrix.dispose();
      }
    }
  }

  private void checkRows(float[] rows, int nrow) {
    if (nrow < 0 || (long) nrow * width() > rows.length) {
      throw new IllegalArgumentException(
          nrow + " rows of " + width() + " columns do not fit a buffer of " + rows.length);
    }
  }

  /**
   * Frees the Booster's native memory: {@link ModelCache} for the models it shares, the owner for
   * one made with {@link #of}.
   */
  @Override
  public void close() {
    booster.dispose();
  }
}
