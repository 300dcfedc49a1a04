package io.beamml.pipelines.stream;

import io.beamml.pipelines.bigquery.BigQuerySinkOptions.Sink;
import io.beamml.pipelines.io.FileWindows;
import io.beamml.schemas.DeadLetter;
import java.util.List;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * Where the streaming job's outputs go, as {@code --sink} chooses: Kafka topics (the default),
 * windowed JSON Lines files under {@code --output}, or BigQuery tables. One implementation per sink
 * writes every output it is handed ({@link StreamOutputs}); which optional outputs exist is the
 * job's decision, made from the topic flags.
 *
 * <p>The result is every dead letter the job wrote: the stages' own, and for BigQuery also the rows
 * a table rejected, so whoever counts dead letters counts them all. Each record that reaches the
 * sinks thus leaves exactly once: written where it belongs, or (rejected there) as a dead letter; a
 * dead letter its own table rejects is written as a file.
 */
public abstract class StreamSinks extends PTransform<StreamOutputs, PCollection<DeadLetter>> {

  /** The sinks the flags choose, with their destinations read and checked now. */
  public static StreamSinks chosenBy(StreamOptions options) {
    switch (sink(options)) {
      case files:
        return FileStreamSinks.from(options);
      case bigquery:
        return BigQueryStreamSinks.from(options);
      case kafka:
      default:
        return KafkaStreamSinks.from(options);
    }
  }

  /** {@code --sink}, kafka when not given. */
  public static Sink sink(StreamOptions options) {
    return options.getSink() == null ? Sink.kafka : options.getSink();
  }

  /** {@code --output}, which {@code sink} needs. */
  static String requireOutput(StreamOptions options, Sink sink) {
    String output = options.getOutput();
    if (output == null || output.isBlank()) {
      throw new IllegalArgumentException(
          "--sink="
              + sink
              + " needs --output=DIR"
              + (sink == Sink.bigquery
                  ? " for the dead letters the dead-letter table rejects"
                  : ""));
    }
    return output.endsWith("/") ? output.substring(0, output.length() - 1) : output;
  }

  /** {@code --fileWindow} and {@code --fileShards}. */
  static FileWindows fileWindows(StreamOptions options) {
    return FileWindows.of(
        StreamInputs.durationFlag("fileWindow", options.getFileWindow()), options.getFileShards());
  }

  /** The dead letters written, as this transform's own output. */
  static PCollection<DeadLetter> written(List<PCollection<DeadLetter>> deadLetters) {
    return PCollectionList.of(deadLetters)
        .apply("CollectWrittenDeadLetters", Flatten.pCollections());
  }
}
