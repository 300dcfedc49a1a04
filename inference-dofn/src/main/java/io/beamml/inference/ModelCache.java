package io.beamml.inference;

import io.beamml.transforms.features.FeatureSpec;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Holds each model version once per JVM, shared by every DoFn instance and thread (the shape of
 * scio's {@code DoFnWithResource} per class): the first {@link #acquire} reads, verifies and builds
 * it, later ones reuse it, and the last {@link Lease#close()} frees its native memory. A runner
 * that keeps DoFns alive (Dataflow, Flink) therefore loads a model once per worker, not once per
 * DoFn instance or bundle.
 */
public final class ModelCache {

  private static final ConcurrentHashMap<CacheKey, Entry> MODELS = new ConcurrentHashMap<>();
  private static final AtomicLong LOADS = new AtomicLong();

  private ModelCache() {}

  /**
   * A user's hold on a model; closing it (once) lets the cache free the model when nobody else
   * holds it.
   */
  public static final class Lease implements AutoCloseable {
    private final CacheKey key;
    private final LoadedModel model;
    private final boolean loaded;
    private boolean closed;

    private Lease(CacheKey key, LoadedModel model, boolean loaded) {
      this.key = key;
      this.model = model;
      this.loaded = loaded;
    }

    public LoadedModel model() {
      return model;
    }

    /** Whether this acquire did the load (so its time should be reported once). */
    public boolean loadedByThisLease() {
      return loaded;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        release(key);
      }
    }
  }

  /**
   * The model for a version, loading it if no one in this JVM holds it yet. Fails with {@link
   * io.beamml.inference.registry.ModelIntegrityException} if the file does not match its recorded
   * SHA-256; a failed load is not cached, the next acquire tries again.
   */
  public static Lease acquire(ModelKey model, @Nullable FeatureSpec pipelineSpec) {
    CacheKey key = new CacheKey(model, pipelineSpec == null ? null : pipelineSpec.fingerprint());
    Entry entry =
        MODELS.compute(
            key,
            (k, e) -> {
              Entry held = e == null ? new Entry() : e;
              held.users++;
              return held;
            });
    try {
      return entry.get(key, model, pipelineSpec);
    } catch (RuntimeException | Error e) {
      release(key);
      throw e;
    }
  }

  /** How many times a model was read and built in this JVM: for monitoring and tests. */
  public static long loads() {
    return LOADS.get();
  }

  /** Models currently held. */
  public static int size() {
    return MODELS.size();
  }

  private static void release(CacheKey key) {
    MODELS.computeIfPresent(
        key,
        (k, e) -> {
          if (--e.users > 0) {
            return e;
          }
          e.dispose();
          return null;
        });
  }

  private record CacheKey(ModelKey model, @Nullable String pipelineSpecFingerprint) {}

  private static final class Entry {
    /** Guarded by the map's lock for this key (compute / computeIfPresent). */
    int users;

    private @Nullable LoadedModel model;

    synchronized Lease get(CacheKey key, ModelKey modelKey, @Nullable FeatureSpec pipelineSpec) {
      if (model != null) {
        return new Lease(key, model, false);
      }
      model = LoadedModel.load(modelKey, pipelineSpec);
      LOADS.incrementAndGet();
      return new Lease(key, model, true);
    }

    synchronized void dispose() {
      if (model != null) {
        model.close();
        model = null;
      }
    }
  }
}
