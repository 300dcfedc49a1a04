package io.beamml.pipelines.stream;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Gathers the keyed records of one bundle (at most {@code maxRecords} at a time) into one element
 * without a key, each record keeping its own key inside. Beam's exactly-once Kafka sink commits one
 * transaction per element it receives on Flink (its shuffles fire a pane per element), and a Kafka
 * transaction costs about 100 ms here; handing it bundles instead of records makes a transaction
 * carry a bundle. Its input must be in the global window (the sink puts everything there anyway).
 */
final class BatchRecordsPerBundle
    extends DoFn<KV<String, String>, KV<@Nullable String, List<KV<String, String>>>> {

  private final int maxRecords;
  private transient List<KV<String, String>> batch;
  private transient Instant lastTimestamp;

  BatchRecordsPerBundle(int maxRecords) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("a batch holds at least one record, got " + maxRecords);
    }
    this.maxRecords = maxRecords;
  }

  @StartBundle
  public void startBundle() {
    batch = new ArrayList<>();
  }

  @ProcessElement
  public void processElement(
      @Element KV<String, String> record,
      @Timestamp Instant timestamp,
      OutputReceiver<KV<@Nullable String, List<KV<String, String>>>> out) {
    batch.add(record);
    lastTimestamp = timestamp;
    if (batch.size() >= maxRecords) {
      out.output(KV.of(null, batch));
      batch = new ArrayList<>();
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    if (!batch.isEmpty()) {
      context.output(KV.of(null, batch), lastTimestamp, GlobalWindow.INSTANCE);
      batch = new ArrayList<>();
    }
  }
}
