package io.beamml.pipelines.stream;

import io.beamml.pipelines.bigquery.BigQueryDestinations;
import io.beamml.pipelines.bigquery.BigQuerySink;
import io.beamml.pipelines.bigquery.BigQuerySinkOptions.Sink;
import io.beamml.pipelines.io.DeadLetterSink;
import io.beamml.pipelines.io.FileWindows;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.DriftRecord;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code --sink=bigquery}: each output to its table in {@code --bigQueryDataset} through the
 * Storage Write API at least once (see {@link BigQuerySink}): predictions, audit, drift, feature
 * rows (with {@code --featuresTopic}) and dead letters. Rows a table rejects join the dead letters
 * on their way to the dead-letter table; dead letters that table rejects are written as files under
 * {@code OUTPUT/dead-letters/}, and duplicate notices and quality records (no table of their own)
 * under {@code OUTPUT/duplicates/} and {@code OUTPUT/quality/}, all in {@code --fileWindow}s.
 */
final class BigQueryStreamSinks extends StreamSinks {

  private final BigQuerySink<Prediction> predictions;
  private final BigQuerySink<AuditRecord> audit;
  private final BigQuerySink<DriftRecord> drift;
  private final BigQuerySink<FeatureRow> featureRows;
  private final BigQuerySink<DeadLetter> deadLetters;
  private final String output;
  private final FileWindows windows;

  private BigQueryStreamSinks(BigQueryDestinations tables, String output, FileWindows windows) {
    this.predictions = tables.predictions();
    this.audit = tables.audit();
    this.drift = tables.drift();
    this.featureRows = tables.featureRows();
    this.deadLetters = tables.deadLetters();
    this.output = output;
    this.windows = windows;
  }

  static BigQueryStreamSinks from(StreamOptions options) {
    return new BigQueryStreamSinks(
        BigQueryDestinations.from(options),
        requireOutput(options, Sink.bigquery),
        fileWindows(options));
  }

  @Override
  public PCollection<DeadLetter> expand(StreamOutputs outputs) {
    List<PCollection<DeadLetter>> all = new ArrayList<>();
    all.add(outputs.deadLetters());
    all.add(write("Predictions", outputs.predictions(), predictions));
    outputs.audit().ifPresent(records -> all.add(write("AuditRecords", records, audit)));
    outputs.drift().ifPresent(records -> all.add(write("DriftRecords", records, drift)));
    outputs.featureRows().ifPresent(rows -> all.add(write("FeatureRows", rows, featureRows)));
    outputs
        .duplicates()
        .ifPresent(duplicates -> FileStreamSinks.writeDuplicates(duplicates, output, windows));
    outputs.quality().ifPresent(quality -> FileStreamSinks.writeQuality(quality, output, windows));
    PCollection<DeadLetter> written = written(all);
    written
        .apply("WriteDeadLettersToBigQuery", deadLetters)
        .failures()
        .apply(
            "WriteRejectedDeadLetters",
            DeadLetterSink.to(output + "/" + FileStreamSinks.DEAD_LETTERS_DIR)
                .withWindows(windows));
    return written;
  }

  /** Writes the records to their table; returns the rows it rejected, as dead letters. */
  private static <T extends SpecificRecord> PCollection<DeadLetter> write(
      String what, PCollection<T> records, BigQuerySink<T> table) {
    return records.apply("Write" + what + "ToBigQuery", table).failures();
  }
}
