package io.beamml.pipelines.bigquery;

import com.google.api.services.bigquery.model.TableRow;
import io.beamml.pipelines.io.DeadLetterSink;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.DeadLetter;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * How a batch run writes to BigQuery and keeps its summary balanced. A table is a source of the
 * summary in its own right (named as {@link BigQuerySink#source()}): what was handed over is its
 * records in, what BigQuery accepted its records out, and each row it rejected one dead letter, so
 * in = out + dead letters holds for the table as for the inputs. Score, backfill and training-set
 * all write through here.
 */
public final class BigQueryOutputs {

  private BigQueryOutputs() {}

  /**
   * Writes {@code records} with {@code sink} as {@code Write<what>ToBigQuery}; adds the handed-over
   * and accepted counts to {@code counts} and the rejected rows to {@code deadLetters}.
   */
  public static <T extends SpecificRecord> void write(
      String what,
      PCollection<T> records,
      BigQuerySink<T> sink,
      List<PCollection<KV<String, Long>>> counts,
      List<PCollection<DeadLetter>> deadLetters) {
    WithFailures.Result<PCollection<TableRow>, DeadLetter> written =
        records.apply("Write" + what + "ToBigQuery", sink);
    String source = sink.source();
    counts.add(
        records.apply(
            "Count" + what + "ToBigQuery", SummaryCounts.of(source, SummaryCounts.RECORDS_IN)));
    counts.add(
        written
            .output()
            .apply(
                "Count" + what + "InBigQuery",
                SummaryCounts.of(source, SummaryCounts.RECORDS_OUT)));
    deadLetters.add(written.failures());
  }

  /**
   * Writes a run's dead letters, rejected rows included, where {@code --sink} says: as JSON Lines
   * under {@code directory} when {@code destinations} is null, else to the dead-letter table. Dead
   * letters that table refuses still land somewhere: under {@code directory}, as a files run's do.
   */
  public static void writeDeadLetters(
      PCollection<DeadLetter> deadLetters,
      @Nullable BigQueryDestinations destinations,
      String directory) {
    if (destinations == null) {
      deadLetters.apply("WriteDeadLetters", DeadLetterSink.to(directory));
    } else {
      deadLetters
          .apply("WriteDeadLettersToBigQuery", destinations.deadLetters())
          .failures()
          .apply("WriteRejectedDeadLetters", DeadLetterSink.to(directory));
    }
  }
}
