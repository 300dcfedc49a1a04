package io.beamml.pipelines.quality;

import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.Prediction;
import io.beamml.transforms.deadletter.DeadLetters;
import io.beamml.transforms.deadletter.Steps;
import io.beamml.transforms.metrics.CountRecordsIn;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads the scores customers got, as the score and stream jobs write them: predictions (Avro or
 * JSON Lines) and audit records (JSON Lines, or Avro). A glob ending in {@code .avro} is read as
 * Avro, any other as JSON Lines; a line that is not a score, or a score that is not a probability,
 * becomes a dead letter of its source. Each score read is counted in and, once parsed, out: it has
 * been offered to the join.
 */
final class ReadScores {

  static final String PREDICTIONS = "predictions";
  static final String AUDIT = "audit";

  private static final TupleTag<Score> SCORES = new TupleTag<>() {};
  private static final TupleTag<DeadLetter> REFUSED = new TupleTag<>() {};

  private ReadScores() {}

  static PCollection<Score> predictions(
      Pipeline p,
      String glob,
      List<PCollection<KV<String, Long>>> counts,
      List<PCollection<DeadLetter>> deadLetters) {
    return read(
        p, PREDICTIONS, "Predictions", glob, Prediction.class, Score::of, counts, deadLetters);
  }

  static PCollection<Score> audit(
      Pipeline p,
      String glob,
      List<PCollection<KV<String, Long>>> counts,
      List<PCollection<DeadLetter>> deadLetters) {
    return read(p, AUDIT, "AuditRecords", glob, AuditRecord.class, Score::of, counts, deadLetters);
  }

  private static <T> PCollection<Score> read(
      Pipeline p,
      String source,
      String step,
      String glob,
      Class<T> avroClass,
      SerializableFunction<T, Score> fromAvro,
      List<PCollection<KV<String, Long>>> counts,
      List<PCollection<DeadLetter>> deadLetters) {
    PCollectionTuple parsed;
    if (glob.endsWith(".avro")) {
      PCollection<T> records =
          p.apply("Read" + step, AvroIO.read(avroClass).from(glob))
              .apply("MeterRecordsIn" + step, CountRecordsIn.of(source));
      counts.add(
          records.apply("Count" + step + "In", SummaryCounts.of(source, SummaryCounts.RECORDS_IN)));
      parsed =
          records.apply(
              "Check" + step,
              ParDo.of(new AvroScoreFn<>(source, fromAvro))
                  .withOutputTags(SCORES, TupleTagList.of(REFUSED)));
    } else {
      PCollection<String> lines =
          p.apply("Read" + step, TextIO.read().from(glob))
              .apply("DropBlank" + step, Filter.by(line -> !line.isBlank()))
              .apply("MeterRecordsIn" + step, CountRecordsIn.of(source));
      counts.add(
          lines.apply("Count" + step + "In", SummaryCounts.of(source, SummaryCounts.RECORDS_IN)));
      parsed =
          lines.apply(
              "Parse" + step,
              ParDo.of(new ParseFn(source)).withOutputTags(SCORES, TupleTagList.of(REFUSED)));
    }
    PCollection<Score> scores = parsed.get(SCORES).setCoder(SerializableCoder.of(Score.class));
    deadLetters.add(parsed.get(REFUSED).setCoder(DeadLetters.coder()));
    counts.add(
        scores.apply("Count" + step + "Out", SummaryCounts.of(source, SummaryCounts.RECORDS_OUT)));
    return scores;
  }

  private static final class AvroScoreFn<T> extends DoFn<T, Score> {
    private final String source;
    private final SerializableFunction<T, Score> fromAvro;

    AvroScoreFn(String source, SerializableFunction<T, Score> fromAvro) {
      this.source = source;
      this.fromAvro = fromAvro;
    }

    @ProcessElement
    public void process(@Element T record, MultiOutputReceiver out) {
      try {
        out.get(SCORES).output(ScoreJson.checked(fromAvro.apply(record)));
      } catch (ScoreJson.Refused e) {
        out.get(REFUSED)
            .output(
                DeadLetters.of(
                    source, Steps.PARSE, e.reason, e.getMessage(), record.toString(), e.eventTime));
      }
    }
  }

  private static final class ParseFn extends DoFn<String, Score> {
    private final String source;

    ParseFn(String source) {
      this.source = source;
    }

    @ProcessElement
    public void process(@Element String line, MultiOutputReceiver out) {
      try {
        out.get(SCORES).output(ScoreJson.parse(line));
      } catch (ScoreJson.Refused e) {
        out.get(REFUSED)
            .output(
                DeadLetters.of(source, Steps.PARSE, e.reason, e.getMessage(), line, e.eventTime));
      }
    }
  }
}
