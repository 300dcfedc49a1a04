package io.beamml.pipelines.ingest;

import io.beamml.pipelines.options.InputOptions;
import io.beamml.pipelines.progress.LogProgress;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.coders.SpecificRecordCoder;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.features.CustomerFeatures;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.grouping.CustomerInputs;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.pseudonymise.Pseudonymise;
import io.beamml.transforms.validate.ContractRules;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The file-based front half shared by backfill, score and training-set: read clicks, sales and
 * profiles and ingest each. Also gathers the counts the run summary balances (records in per source
 * and duplicates here; records out where the caller decides what an output is).
 */
public final class OfflineInputs {

  private final PCollectionList<CustomerEvent> eventSources;
  private @Nullable PCollection<CustomerEvent> events;
  private final PCollection<CustomerProfile> profiles;
  private final PCollection<DeadLetter> deadLetters;
  private final List<PCollection<KV<String, Long>>> counts;
  private final int shards;

  private OfflineInputs(
      int shards,
      PCollectionList<CustomerEvent> eventSources,
      PCollection<CustomerProfile> profiles,
      PCollection<DeadLetter> deadLetters,
      List<PCollection<KV<String, Long>>> counts) {
    this.shards = shards;
    this.eventSources = eventSources;
    this.profiles = profiles;
    this.deadLetters = deadLetters;
    this.counts = counts;
  }

  /** Shards of batch dedup and features on the Direct runner unless told otherwise. */
  public static final int DIRECT_RUNNER_SHARDS = 16;

  /**
   * The shards batch dedup and features group by under these options: {@code --groupingShards}, or
   * by default {@value #DIRECT_RUNNER_SHARDS} on the Direct runner (which pays per grouping key,
   * see {@link io.beamml.transforms.grouping.ShardKeys}) and the real keys everywhere else.
   */
  public static int groupingShards(InputOptions options) {
    int shards = options.getGroupingShards();
    return shards >= 0 ? shards : defaultGroupingShards(options);
  }

  /**
   * {@value #DIRECT_RUNNER_SHARDS} on the Direct runner, 0 (group by the real keys) on every other.
   */
  public static int defaultGroupingShards(PipelineOptions options) {
    return options.getRunner() != null && options.getRunner().getSimpleName().equals("DirectRunner")
        ? DIRECT_RUNNER_SHARDS
        : 0;
  }

  public static OfflineInputs read(Pipeline p, InputOptions options, HmacKey key) {
    if (isBlank(options.getClicks()) && isBlank(options.getSales())) {
      throw new IllegalArgumentException(
          "give at least one event input: --clicks=GLOB and/or --sales=GLOB");
    }
    LogProgress.newRun();
    ContractRules rules = ContractRules.defaults();
    List<PCollection<KV<String, Long>>> counts = new ArrayList<>();
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
    List<PCollection<CustomerEvent>> events = new ArrayList<>();

    if (!isBlank(options.getClicks())) {
      events.add(
          ingestFiles(
                  p,
                  options.getClicks(),
                  Ingest.clicks(key, rules).configuredBy(options),
                  counts,
                  deadLetters)
              .records());
    }
    if (!isBlank(options.getSales())) {
      events.add(
          ingestFiles(
                  p,
                  options.getSales(),
                  Ingest.sales(key, rules).configuredBy(options),
                  counts,
                  deadLetters)
              .records());
    }
    PCollection<CustomerProfile> profiles;
    if (!isBlank(options.getProfiles())) {
      profiles =
          ingestFiles(
                  p,
                  options.getProfiles(),
                  Ingest.profiles(key, rules).configuredBy(options),
                  counts,
                  deadLetters)
              .records();
      counts.add(
          profiles.apply(
              "CountProfilesOut", SummaryCounts.of(Sources.PROFILES, SummaryCounts.RECORDS_OUT)));
    } else {
      profiles = p.apply("NoProfiles", Create.empty(SpecificRecordCoder.of(CustomerProfile.class)));
    }
    PCollection<DeadLetter> allDeadLetters =
        PCollectionList.of(deadLetters).apply("FlattenDeadLetters", Flatten.pCollections());
    return new OfflineInputs(
        groupingShards(options), PCollectionList.of(events), profiles, allDeadLetters, counts);
  }

  /**
   * Reads one source's files and ingests them, adding its records-in and duplicates counts to
   * {@code counts} and its dead letters to {@code deadLetters}.
   */
  public static <R, T> IngestResult<T, R> ingestFiles(
      Pipeline p,
      String glob,
      Ingest<R, T> ingest,
      List<PCollection<KV<String, Long>>> counts,
      List<PCollection<DeadLetter>> deadLetters) {
    String source = ingest.source();
    String step = Character.toUpperCase(source.charAt(0)) + source.substring(1);
    // The reader ticks the progress line and the parse counts the records in, so the lines have
    // one reader: on Flink's batch runner each further one is an encoded copy of every line.
    PCollection<byte[]> lines =
        p.apply("Read" + step, ingest.readFiles(glob).withProgress(source + " read"));
    IngestResult<T, R> result = lines.apply("Ingest" + step, ingest);
    PCollection<Long> recordsIn =
        java.util.Objects.requireNonNull(result.recordsIn(), "bounded ingest counts its input");
    counts.add(
        recordsIn.apply(
            "Count" + step + "In", SummaryCounts.sum(source, SummaryCounts.RECORDS_IN)));
    counts.add(
        result
            .duplicates()
            .apply(
                "Count" + step + "Duplicates", SummaryCounts.of(source, SummaryCounts.DUPLICATES)));
    deadLetters.add(result.deadLetters());
    return result;
  }

  private static boolean isBlank(@Nullable String s) {
    return s == null || s.isBlank();
  }

  /**
   * Feature rows as of every event; each event yields one row, so the caller counts the rows it
   * writes back to their sources as their records out ({@link #recordsOutKey}).
   */
  public PCollection<FeatureRow> featureRows(FeatureSpec spec) {
    return customerInputs().apply("CustomerFeatures", CustomerFeatures.of(spec).withShards(shards));
  }

  /**
   * The summary key under which a record derived one-to-one from an event counts as its source's
   * records out: sales for an order, clicks for the rest.
   */
  public static <X> SerializableFunction<X, String> recordsOutKey(
      SerializableFunction<X, String> eventType) {
    String clicksOut = SummaryCounts.key(Sources.CLICKS, SummaryCounts.RECORDS_OUT);
    String salesOut = SummaryCounts.key(Sources.SALES, SummaryCounts.RECORDS_OUT);
    return x -> Pseudonymise.ORDER_EVENT_TYPE.equals(eventType.apply(x)) ? salesOut : clicksOut;
  }

  /**
   * Counts records derived one-to-one from events as the records out of clicks and sales, in one
   * step reading them (each further reader of a collection costs a copy of it on Flink), and shows
   * them as {@code progress} in the progress lines.
   */
  public <X> void countOutBySource(
      PCollection<X> derived, SerializableFunction<X, String> eventType, String progress) {
    counts.add(
        derived.apply(
            "CountRecordsOutBySource", SummaryCounts.perKey(recordsOutKey(eventType), progress)));
  }

  /** The events of every source in one collection (flattened when first asked for). */
  public PCollection<CustomerEvent> events() {
    if (events == null) {
      events = eventSources.apply("FlattenEvents", Flatten.pCollections());
    }
    return events;
  }

  /**
   * The events, per source, and the profiles, for the per-customer grouping: it flattens its inputs
   * once, so the events are not flattened first (on Flink's batch runner a flatten is an encoded
   * copy of every record).
   */
  public CustomerInputs customerInputs() {
    return CustomerInputs.of(eventSources, profiles);
  }

  public PCollection<CustomerProfile> profiles() {
    return profiles;
  }

  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
  }

  /** Summary counts gathered so far; callers add their own before writing the summary. */
  public List<PCollection<KV<String, Long>>> counts() {
    return counts;
  }
}
