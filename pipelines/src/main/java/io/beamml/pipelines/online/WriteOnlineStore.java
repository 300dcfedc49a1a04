package io.beamml.pipelines.online;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.serving.store.OnlineStoreConfig;
import io.beamml.serving.store.RedisOnlineStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Writes pseudonymised events and profiles to the Redis online store, batched per bundle into one
 * pipeline each (up to {@link #BATCH} commands). Writes are idempotent (see {@link
 * RedisOnlineStore}), so a bundle the runner retries, or a replay after a restart, changes nothing.
 * A Redis that cannot be reached fails the bundle, and the runner retries it as it retries any
 * failed bundle: nothing is dropped silently.
 */
public final class WriteOnlineStore {

  /** Namespace of the written-record counters. */
  public static final String NAMESPACE = "beamml_online_store";

  static final int BATCH = 500;

  private WriteOnlineStore() {}

  public static PTransform<PCollection<CustomerEvent>, PDone> events(OnlineStoreConfig config) {
    return new Write<>("events_written", config, RedisOnlineStore::writeEvents);
  }

  public static PTransform<PCollection<CustomerProfile>, PDone> profiles(OnlineStoreConfig config) {
    return new Write<>("profiles_written", config, RedisOnlineStore::writeProfiles);
  }

  private interface Writer<T> extends BiConsumer<RedisOnlineStore, List<T>>, java.io.Serializable {}

  private static final class Write<T> extends PTransform<PCollection<T>, PDone> {
    private final String counter;
    private final OnlineStoreConfig config;
    private final Writer<T> writer;

    Write(String counter, OnlineStoreConfig config, Writer<T> writer) {
      this.counter = counter;
      this.config = config;
      this.writer = writer;
    }

    @Override
    public PDone expand(PCollection<T> input) {
      input.apply("WriteToRedis", ParDo.of(new WriteFn<>(counter, config, writer)));
      return PDone.in(input.getPipeline());
    }
  }

  private static final class WriteFn<T> extends DoFn<T, Void> {
    private final OnlineStoreConfig config;
    private final Writer<T> writer;
    private final Counter written;
    private transient RedisOnlineStore store;
    private transient List<T> buffer;

    WriteFn(String counter, OnlineStoreConfig config, Writer<T> writer) {
      this.config = config;
      this.writer = writer;
      this.written = Metrics.counter(NAMESPACE, counter);
    }

    @Setup
    public void setup() {
      store = RedisOnlineStore.connect(config, 2, 5000);
      buffer = new ArrayList<>(BATCH);
    }

    @ProcessElement
    public void process(@Element T element) {
      buffer.add(element);
      if (buffer.size() >= BATCH) {
        flush();
      }
    }

    @FinishBundle
    public void finishBundle() {
      flush();
    }

    private void flush() {
      if (!buffer.isEmpty()) {
        writer.accept(store, buffer);
        written.inc(buffer.size());
        buffer.clear();
      }
    }

    @Teardown
    public void teardown() {
      if (store != null) {
        store.close();
      }
    }
  }
}
