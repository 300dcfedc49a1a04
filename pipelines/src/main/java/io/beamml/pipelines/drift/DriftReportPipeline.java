package io.beamml.pipelines.drift;

import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.pipelines.io.DeadLetterSink;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.pipelines.io.ReportFiles;
import io.beamml.pipelines.io.RunOutput;
import io.beamml.pipelines.options.RunOutputOptions;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.FeatureRow;
import io.beamml.training.drift.DetectDrift;
import io.beamml.training.drift.DriftReport;
import io.beamml.training.drift.DriftThresholds;
import io.beamml.training.drift.WindowDrift;
import io.beamml.transforms.deadletter.CountDeadLetters;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.metrics.CountRecordsIn;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code drift-report}: compares stored feature rows (a backfill's, or any batch of them) as one
 * run with the training reference of a model version. Writes the drift records of drifted features
 * as JSON Lines, the full comparison, dead letters and a balanced summary; then, after the run,
 * renders {@value DriftReport#HTML} with one picture per feature.
 */
public final class DriftReportPipeline {

  /** Flags of {@code ./pipeline drift-report}. */
  public interface Options extends DriftThresholdOptions, RunOutputOptions {
    @Description(
        "Feature rows to compare, an Avro glob as a backfill writes them, e.g. OUT/features/*/*.avro")
    @Validation.Required
    String getFeatures();

    void setFeatures(String value);

    @Description("Model registry directory (local, gs:// or any Beam file system)")
    @Validation.Required
    String getRegistry();

    void setRegistry(String value);

    @Description(
        "Model whose training reference the rows are compared with: NAME@ALIAS or NAME:VERSION")
    @Validation.Required
    String getModel();

    void setModel(String value);

    @Description("With fewer rows than this the statistics are reported but nothing is flagged")
    @Default.Long(DriftThresholds.DEFAULT_MIN_ROWS)
    Long getMinRows();

    void setMinRows(Long value);
  }

  public static final String PIPELINE_NAME = "drift-report";
  public static final String RECORDS_DIR = "drift-records";
  public static final String COMPARISON_FILE = "drift-comparison.json";
  public static final String DEAD_LETTERS_DIR = "dead-letters";

  private DriftReportPipeline() {}

  public static DriftThresholds thresholds(Options options) {
    return DriftThresholdOptions.thresholds(options, options.getMinRows());
  }

  /** The drift check the flags describe; an alias is resolved to its version now. */
  public static DetectDrift detection(Options options) {
    return DetectDrift.forModel(
            ModelRegistry.at(options.getRegistry()), ModelRef.parse(options.getModel()))
        .withThresholds(thresholds(options));
  }

  /**
   * Adds the comparison to {@code p}: read, compare, write records, comparison, dead letters,
   * summary.
   */
  public static void build(Pipeline p, Options options, DetectDrift detection) {
    String out = options.getOutput();
    PCollection<FeatureRow> rows =
        p.apply("ReadFeatureRows", AvroIO.read(FeatureRow.class).from(options.getFeatures()))
            .apply("MeterRowsIn", CountRecordsIn.of(Sources.FEATURES));
    List<PCollection<KV<String, Long>>> counts = new ArrayList<>();
    counts.add(
        rows.apply(
            "CountFeatureRowsIn", SummaryCounts.of(Sources.FEATURES, SummaryCounts.RECORDS_IN)));

    DetectDrift.Result drift = rows.apply("DetectDrift", detection);

    // At most two records per feature in a batch run: one file holds them.
    drift
        .records()
        .apply(
            "RenderDriftRecordJson",
            MapElements.into(TypeDescriptors.strings()).via(JsonRecords.renderer()))
        .setCoder(StringUtf8Coder.of())
        .apply(
            "WriteDriftRecords",
            TextIO.write()
                .to(out + "/" + RECORDS_DIR + "/part")
                .withSuffix(".jsonl")
                .withNumShards(1));
    drift
        .windows()
        .apply(
            "RenderComparisonJson",
            MapElements.into(TypeDescriptors.strings()).via(WindowDrift::toJson))
        .setCoder(StringUtf8Coder.of())
        .apply(
            "WriteComparison",
            TextIO.write()
                .to(out + "/" + comparisonPrefix())
                .withSuffix(".json")
                .withoutSharding());
    // Every row that is not a dead letter was folded into the comparison: that is its way out.
    counts.add(
        drift
            .windows()
            .apply(
                "CountRowsCompared",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                    .via(
                        w ->
                            KV.of(
                                SummaryCounts.key(Sources.FEATURES, SummaryCounts.RECORDS_OUT),
                                w.rows())))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())));

    drift.failures().apply("WriteDeadLetters", DeadLetterSink.to(out + "/" + DEAD_LETTERS_DIR));
    drift.failures().apply("MeterDeadLetters", CountDeadLetters.create());
    PCollectionList.of(counts)
        .and(drift.failures().apply("CountDeadLetters", SummaryCounts.deadLettersByReason()))
        .apply(
            "WriteSummary",
            RunSummary.to(
                out,
                PIPELINE_NAME,
                Map.of("model", options.getModel(), "model_version", detection.modelVersion())));
  }

  /** Runs the comparison, waits, then renders the report; returns the comparison it drew. */
  public static WindowDrift run(Options options) {
    FileSystems.setDefaultPipelineOptions(options);
    return RunOutput.into(
        options,
        () -> {
          Pipeline p = Pipeline.create(options);
          build(p, options, detection(options));
          RunOutput.finished(p.run());
          WindowDrift comparison = readComparison(options.getOutput());
          writeReport(
              options.getOutput(), DriftReport.of(comparison).withSource(options.getFeatures()));
          return comparison;
        });
  }

  /** The comparison a finished run wrote to {@code OUTPUT/}{@value #COMPARISON_FILE}. */
  public static WindowDrift readComparison(String outputDir) {
    String path = outputDir + "/" + COMPARISON_FILE;
    try {
      MatchResult.Metadata file = FileSystems.matchSingleFileSpec(path);
      String text;
      try (InputStream in = Channels.newInputStream(FileSystems.open(file.resourceId()))) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      List<String> lines = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
      if (lines.size() != 1) {
        throw new IllegalStateException(
            path
                + " holds "
                + lines.size()
                + " comparisons; a batch drift report compares the whole run as one");
      }
      return WindowDrift.fromJson(lines.get(0));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** Writes the HTML page and its pictures into {@code outputDir}. */
  public static void writeReport(String outputDir, DriftReport report) {
    ReportFiles.write(outputDir, report.render());
  }

  private static String comparisonPrefix() {
    return COMPARISON_FILE.substring(0, COMPARISON_FILE.length() - ".json".length());
  }
}
