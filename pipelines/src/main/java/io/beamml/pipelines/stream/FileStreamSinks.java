package io.beamml.pipelines.stream;

import io.beamml.pipelines.bigquery.BigQuerySinkOptions.Sink;
import io.beamml.pipelines.io.DeadLetterSink;
import io.beamml.pipelines.io.FileWindows;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.pipelines.io.PartitionedFileSink;
import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code --sink=files}: JSON Lines under {@code --output}, written per {@code --fileWindow} in
 * {@code --fileShards} files (see {@link FileWindows}):
 *
 * <pre>
 * OUTPUT/predictions/event_date=YYYY-MM-DD/part-START-END[-pane-N]-SSSSS-of-NNNNN.jsonl
 * OUTPUT/audit/event_date=YYYY-MM-DD/...          one per prediction
 * OUTPUT/drift/event_date=YYYY-MM-DD/...          by the drift window's start
 * OUTPUT/features/event_date=YYYY-MM-DD/...       with --featuresTopic
 * OUTPUT/quality/part-START-END-pane-N-...jsonl     with --responsesTopic and --qualityTopic
 * OUTPUT/duplicates/part-START-END-pane-N-...jsonl  with --duplicatesTopic
 * OUTPUT/dead-letters/part-START-END-pane-N-...jsonl
 * </pre>
 */
final class FileStreamSinks extends StreamSinks {

  static final String PREDICTIONS_DIR = "predictions";
  static final String AUDIT_DIR = "audit";
  static final String DRIFT_DIR = "drift";
  static final String FEATURES_DIR = "features";
  static final String DUPLICATES_DIR = "duplicates";
  static final String QUALITY_DIR = "quality";
  static final String DEAD_LETTERS_DIR = "dead-letters";

  private final String output;
  private final FileWindows windows;

  private FileStreamSinks(String output, FileWindows windows) {
    this.output = output;
    this.windows = windows;
  }

  static FileStreamSinks from(StreamOptions options) {
    return new FileStreamSinks(requireOutput(options, Sink.files), fileWindows(options));
  }

  @Override
  public PCollection<DeadLetter> expand(StreamOutputs outputs) {
    outputs
        .predictions()
        .apply(
            "WritePredictions",
            PartitionedFileSink.of(
                    Prediction.class,
                    output + "/" + PREDICTIONS_DIR,
                    OutputFormat.jsonl,
                    Prediction::getEventTime,
                    JsonRecords.renderer())
                .withWindows(windows));
    outputs
        .audit()
        .ifPresent(
            audit ->
                audit.apply(
                    "WriteAuditRecords",
                    PartitionedFileSink.of(
                            AuditRecord.class,
                            output + "/" + AUDIT_DIR,
                            OutputFormat.jsonl,
                            AuditRecord::getEventTime,
                            JsonRecords.renderer())
                        .withWindows(windows)));
    outputs
        .drift()
        .ifPresent(
            drift ->
                drift.apply(
                    "WriteDriftRecords",
                    PartitionedFileSink.of(
                            DriftRecord.class,
                            output + "/" + DRIFT_DIR,
                            OutputFormat.jsonl,
                            DriftRecord::getWindowStart,
                            JsonRecords.renderer())
                        .withWindows(windows)));
    outputs
        .featureRows()
        .ifPresent(
            rows ->
                rows.apply(
                    "WriteFeatureRows",
                    PartitionedFileSink.of(
                            FeatureRow.class,
                            output + "/" + FEATURES_DIR,
                            OutputFormat.jsonl,
                            FeatureRow::getEventTime,
                            JsonRecords.renderer())
                        .withWindows(windows)));
    outputs.duplicates().ifPresent(duplicates -> writeDuplicates(duplicates, output, windows));
    outputs.quality().ifPresent(quality -> writeQuality(quality, output, windows));
    outputs
        .deadLetters()
        .apply(
            "WriteDeadLetters",
            DeadLetterSink.to(output + "/" + DEAD_LETTERS_DIR).withWindows(windows));
    return written(List.of(outputs.deadLetters()));
  }

  /** Duplicate notices as JSON Lines under {@code OUTPUT/duplicates/}, in windows. */
  static void writeDuplicates(
      PCollection<KV<String, String>> duplicates, String output, FileWindows windows) {
    writeJsonValues(
        duplicates,
        "TakeDuplicateNotices",
        "AssignDuplicateFileWindows",
        "WriteDuplicates",
        output + "/" + DUPLICATES_DIR,
        windows);
  }

  /** Quality records as JSON Lines under {@code OUTPUT/quality/}, in windows. */
  static void writeQuality(
      PCollection<KV<String, String>> quality, String output, FileWindows windows) {
    writeJsonValues(
        quality,
        "TakeQualityRecords",
        "AssignQualityFileWindows",
        "WriteQualityRecords",
        output + "/" + QUALITY_DIR,
        windows);
  }

  private static void writeJsonValues(
      PCollection<KV<String, String>> records,
      String take,
      String assign,
      String name,
      String dir,
      FileWindows windows) {
    records
        .apply(take, Values.create())
        .setCoder(StringUtf8Coder.of())
        .apply(assign, windows.<String>assign())
        .apply(
            name,
            TextIO.write()
                .to(dir + "/part")
                .withSuffix(".jsonl")
                .withWindowedWrites()
                .withNumShards(windows.shards())
                .withShardNameTemplate(FileWindows.SHARD_TEMPLATE));
  }
}
