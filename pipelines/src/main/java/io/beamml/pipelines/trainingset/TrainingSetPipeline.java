package io.beamml.pipelines.trainingset;

import io.beamml.pipelines.bigquery.BigQueryDestinations;
import io.beamml.pipelines.bigquery.BigQueryOutputs;
import io.beamml.pipelines.bigquery.BigQuerySinkOptions;
import io.beamml.pipelines.ingest.Ingest;
import io.beamml.pipelines.ingest.IngestResult;
import io.beamml.pipelines.ingest.OfflineInputs;
import io.beamml.pipelines.io.AvroFiles;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.pipelines.io.RunOutput;
import io.beamml.pipelines.options.AsOfOptions;
import io.beamml.pipelines.options.HmacKeyOptions;
import io.beamml.pipelines.options.InputOptions;
import io.beamml.pipelines.options.RunOutputOptions;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.PromoResponse;
import io.beamml.schemas.TrainingExample;
import io.beamml.training.data.Split;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.training.pointintime.PointInTimeTrainingSet;
import io.beamml.transforms.deadletter.CountDeadLetters;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.validate.ContractRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The training-set build: clicks, sales, profiles and promotion responses files in; one {@link
 * TrainingExample} per valid response, with the customer's features as of the send time and a
 * train/validation/test split by time, out. Writes what {@code train} reads ({@code
 * OUTPUT/examples/*.avro} and {@code OUTPUT/spec.json}, see {@link TrainingSetReader}), an optional
 * CSV or JSON Lines copy of the examples, the dead letters and a balanced run summary.
 *
 * <p>With {@code --sink=bigquery} the examples also go to the training-examples table and the dead
 * letters to the dead-letter table instead of files. The Avro examples and the spec stay under
 * {@code --output} either way: they are what {@code train} reads, and the table is for analysts.
 */
public final class TrainingSetPipeline {

  /** Flags of {@code ./pipeline training-set}. */
  public interface Options
      extends InputOptions, HmacKeyOptions, RunOutputOptions, BigQuerySinkOptions, AsOfOptions {

    @Description(
        "Promotion responses as CSV (promo_id,customer_id,sent_time,responded): a file pattern (glob)")
    @Validation.Required
    String getResponses();

    void setResponses(String value);

    @Description(
        "Fraction of the distinct send times, just before the test ones, that go to validation")
    @Default.Double(PointInTimeTrainingSet.DEFAULT_VALIDATION_FRACTION)
    Double getValidationFraction();

    void setValidationFraction(Double value);

    @Description("Fraction of the distinct send times, the latest ones, that go to test")
    @Default.Double(PointInTimeTrainingSet.DEFAULT_TEST_FRACTION)
    Double getTestFraction();

    void setTestFraction(Double value);

    @Description(
        "Examples are always written as Avro; csv or jsonl writes a copy in that format too")
    @Default.Enum("avro")
    ExampleFormat getExampleFormat();

    void setExampleFormat(ExampleFormat value);

    @Description(
        "Only responses sent in the N days up to --asOf make examples; the others count as "
            + TrainingWindow.OUTSIDE
            + " in the summary. Unset: every response")
    Integer getTrainingWindowDays();

    void setTrainingWindowDays(Integer value);

    /** Formats of the examples: Avro alone, or Avro plus a CSV or JSON Lines copy. */
    enum ExampleFormat {
      avro,
      csv,
      jsonl
    }
  }

  public static final String PIPELINE_NAME = "training-set";

  /** Avro examples; {@link TrainingSetReader#EXAMPLES_GLOB} reads them from here. */
  public static final String EXAMPLES_DIR = "examples";

  public static final String EXAMPLES_CSV_DIR = "examples-csv";
  public static final String EXAMPLES_JSONL_DIR = "examples-jsonl";
  public static final String SPEC_FILE = TrainingSetReader.SPEC_FILE;
  public static final String DEAD_LETTERS_DIR = "dead-letters";
  public static final String SUMMARY_FILE = "summary.json";

  private TrainingSetPipeline() {}

  /** Adds the whole training-set build to {@code p}. */
  public static void build(Pipeline p, Options options, HmacKey key) {
    if (options.getResponses() == null || options.getResponses().isBlank()) {
      throw new IllegalArgumentException("give the promotion responses: --responses=GLOB");
    }
    FeatureSpec spec = FeatureSpec.loadOrDefault(options.getFeatureSpec());
    @Nullable BigQueryDestinations bigQuery = BigQueryDestinations.ifChosen(options);
    PointInTimeTrainingSet trainingSet =
        PointInTimeTrainingSet.of(spec)
            .withSplits(options.getValidationFraction(), options.getTestFraction())
            .withShards(OfflineInputs.groupingShards(options));
    OfflineInputs inputs = OfflineInputs.read(p, options, key);
    // Every ingested event is an output of its source here, whether or not a promotion reads it.
    inputs.countOutBySource(inputs.events(), CustomerEvent::getEventType, "events ingested");
    List<PCollection<KV<String, Long>>> counts = inputs.counts();
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>(List.of(inputs.deadLetters()));
    IngestResult<LabelledPromo, PromoResponse> responses =
        OfflineInputs.ingestFiles(
            p,
            options.getResponses(),
            Ingest.responses(key, ContractRules.defaults()).configuredBy(options),
            counts,
            deadLetters);
    String out = options.getOutput();
    TrainingWindow window =
        TrainingWindow.of(options.getTrainingWindowDays(), options.getAsOf(), Instant.now());
    PCollection<LabelledPromo> promos =
        window == null ? responses.records() : window.keep(responses.records(), counts);

    PCollection<TrainingExample> examples =
        inputs.customerInputs().withPromos(promos).apply("BuildTrainingExamples", trainingSet);
    examples.apply(
        "WriteExamplesAvro",
        AvroFiles.write(TrainingExample.class, options)
            .to(out + "/" + EXAMPLES_DIR + "/part")
            .withSuffix(".avro"));
    writeCopy(examples, spec, options.getExampleFormat(), out);
    if (bigQuery != null) {
      BigQueryOutputs.write(
          "TrainingExamples", examples, bigQuery.trainingExamples(), counts, deadLetters);
    }
    p.apply("CreateSpecJson", Create.of(spec.toCanonicalJson()).withCoder(StringUtf8Coder.of()))
        .apply(
            "WriteSpecJson",
            TextIO.write().to(out + "/" + stem(SPEC_FILE)).withSuffix(".json").withoutSharding());

    PCollection<DeadLetter> allDeadLetters =
        PCollectionList.of(deadLetters).apply("FlattenAllDeadLetters", Flatten.pCollections());
    allDeadLetters.apply("MeterDeadLetters", CountDeadLetters.create());
    BigQueryOutputs.writeDeadLetters(allDeadLetters, bigQuery, out + "/" + DEAD_LETTERS_DIR);

    counts.add(
        examples.apply(
            "CountResponsesOut", SummaryCounts.of(Sources.RESPONSES, SummaryCounts.RECORDS_OUT)));
    counts.add(countBySplit(p, examples));
    PCollectionList.of(counts)
        .and(allDeadLetters.apply("CountDeadLetters", SummaryCounts.deadLettersByReason()))
        .apply(
            "WriteSummary",
            RunSummary.to(
                out,
                PIPELINE_NAME,
                Map.of(
                    "spec_fingerprint", spec.fingerprint(),
                    "spec", spec.name() + " v" + spec.version(),
                    "validation_fraction", Double.toString(trainingSet.validationFraction()),
                    "test_fraction", Double.toString(trainingSet.testFraction()),
                    "training_window", window == null ? "all" : window.toString())));
  }

  /**
   * Builds, runs and waits, in a fresh attempt directory published as {@code --output} when the job
   * is done ({@link RunOutput}); the summary is at {@code OUTPUT/summary.json} when this returns.
   */
  public static PipelineResult run(Options options, HmacKey key) {
    return RunOutput.into(
        options,
        () -> {
          Pipeline p = Pipeline.create(options);
          build(p, options, key);
          return RunOutput.finished(p.run());
        });
  }

  private static void writeCopy(
      PCollection<TrainingExample> examples,
      FeatureSpec spec,
      Options.ExampleFormat format,
      String out) {
    switch (format) {
      case avro:
        return;
      case csv:
        ExampleCsv csv = ExampleCsv.of(spec);
        examples
            .apply("RenderExampleCsv", MapElements.into(TypeDescriptors.strings()).via(csv::line))
            .setCoder(StringUtf8Coder.of())
            .apply(
                "WriteExamplesCsv",
                TextIO.write()
                    .to(out + "/" + EXAMPLES_CSV_DIR + "/part")
                    .withSuffix(".csv")
                    .withHeader(csv.header()));
        return;
      case jsonl:
        examples
            .apply(
                "RenderExampleJson",
                MapElements.into(TypeDescriptors.strings()).via(JsonRecords.renderer()))
            .setCoder(StringUtf8Coder.of())
            .apply(
                "WriteExamplesJsonLines",
                TextIO.write().to(out + "/" + EXAMPLES_JSONL_DIR + "/part").withSuffix(".jsonl"));
        return;
      default:
        throw new IllegalArgumentException("unknown example format " + format);
    }
  }

  /**
   * Examples per split as extra counts of the responses source ({@code train_examples}, ...), zero
   * for an empty split, so the summary shows how the fractions came out.
   */
  private static PCollection<KV<String, Long>> countBySplit(
      Pipeline p, PCollection<TrainingExample> examples) {
    KvCoder<String, Long> coder = KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    List<KV<String, Long>> zeros = new ArrayList<>();
    for (Split s : Split.values()) {
      zeros.add(KV.of(splitKey(s.name()), 0L));
    }
    PCollection<KV<String, Long>> ones =
        examples
            .apply(
                "KeyExamplesBySplit",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                    .via(e -> KV.of(splitKey(e.getSplit()), 1L)))
            .setCoder(coder);
    return PCollectionList.of(p.apply("ZeroSplitCounts", Create.of(zeros).withCoder(coder)))
        .and(ones)
        .apply("FlattenSplitCounts", Flatten.pCollections());
  }

  private static String splitKey(String split) {
    return SummaryCounts.key(Sources.RESPONSES, split + "_examples");
  }

  private static String stem(String fileName) {
    return fileName.substring(0, fileName.lastIndexOf('.'));
  }
}
