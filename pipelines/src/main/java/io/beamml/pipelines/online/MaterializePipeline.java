package io.beamml.pipelines.online;

import io.beamml.pipelines.ingest.OfflineInputs;
import io.beamml.pipelines.io.DeadLetterSink;
import io.beamml.pipelines.options.AsOfOptions;
import io.beamml.pipelines.options.HmacKeyOptions;
import io.beamml.pipelines.options.InputOptions;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.serving.store.OnlineStoreConfig;
import io.beamml.transforms.deadletter.CountDeadLetters;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * {@code materialize}: the backfill's inputs (clicks, sales, profiles files through the same
 * Ingest) written to the online store as of a time T, for a cold start or a rebuild. Events after T
 * are left out; the store then keeps, per customer, what the stream would have kept after the same
 * events, through the same idempotent writer, so the contents are the same.
 */
public final class MaterializePipeline {

  /** Flags of {@code ./pipeline materialize}. */
  public interface Options extends InputOptions, HmacKeyOptions, OnlineStoreOptions, AsOfOptions {

    @Description("Directory for the dead letters and summary.json (local or any Beam file system)")
    @Validation.Required
    String getOutput();

    void setOutput(String value);
  }

  public static final String DEAD_LETTERS_DIR = "dead-letters";

  private MaterializePipeline() {}

  /** The as-of instant in epoch milliseconds: {@code --asOf}, or {@code now} when blank. */
  public static long asOfMillis(Options options, long now) {
    String asOf = options.getAsOf();
    if (asOf == null || asOf.isBlank()) {
      return now;
    }
    try {
      return Instant.parse(asOf).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--asOf must be an ISO-8601 instant such as 2024-03-01T00:00:00Z, got '" + asOf + "'");
    }
  }

  /** Adds the whole job to {@code p}. */
  public static void build(Pipeline p, Options options, HmacKey key, long asOfMillis) {
    FeatureSpec spec = FeatureSpec.loadOrDefault(options.getFeatureSpec());
    OnlineStoreConfig store = OnlineStoreOptions.configFor(options, spec);
    if (store == null) {
      throw new IllegalArgumentException("materialize needs --onlineStore=redis://HOST:PORT");
    }
    OfflineInputs inputs = OfflineInputs.read(p, options, key);
    // Every ingested event is handed to the store step, which keeps those up to T it needs.
    inputs.countOutBySource(inputs.events(), CustomerEvent::getEventType, "events to the store");
    inputs
        .events()
        .apply("KeepEventsUpToAsOf", Filter.by((CustomerEvent e) -> e.getEventTime() <= asOfMillis))
        .apply("WriteOnlineStoreEvents", WriteOnlineStore.events(store));
    inputs.profiles().apply("WriteOnlineStoreProfiles", WriteOnlineStore.profiles(store));

    PCollection<DeadLetter> deadLetters = inputs.deadLetters();
    deadLetters.apply("MeterDeadLetters", CountDeadLetters.create());
    deadLetters.apply(
        "WriteDeadLetters", DeadLetterSink.to(options.getOutput() + "/" + DEAD_LETTERS_DIR));
    PCollectionList.of(inputs.counts())
        .and(deadLetters.apply("CountDeadLetters", SummaryCounts.deadLettersByReason()))
        .apply(
            "WriteSummary",
            RunSummary.to(
                options.getOutput(),
                "materialize",
                Map.of(
                    "spec_fingerprint",
                    spec.fingerprint(),
                    "as_of",
                    Instant.ofEpochMilli(asOfMillis).toString(),
                    "online_store_prefix",
                    store.prefix())));
  }

  /** Builds, runs and waits. */
  public static PipelineResult run(Options options, HmacKey key, long asOfMillis) {
    Pipeline p = Pipeline.create(options);
    build(p, options, key, asOfMillis);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return result;
  }
}
