package io.beamml.pipelines.io;

import io.beamml.schemas.DeadLetter;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes every dead letter of a batch run as JSON Lines under {@code DIR/part-*.jsonl}. These
 * files keep raw input and so may hold personal data: restrict who can read them.
 */
public final class DeadLetterSink extends PTransform<PCollection<DeadLetter>, PDone> {

  private final String directory;

  private DeadLetterSink(String directory) {
    this.directory = directory;
  }

  public static DeadLetterSink to(String directory) {
    return new DeadLetterSink(directory);
  }

  @Override
  public PDone expand(PCollection<DeadLetter> deadLetters) {
    deadLetters
        .apply("RenderDeadLetterJson", MapElements.into(TypeDescriptors.strings()).via(JsonRecords::deadLetter))
        .setCoder(StringUtf8Coder.of())
        .apply("WriteDeadLetters", TextIO.write().to(directory + "/part").withSuffix(".jsonl"));
    return PDone.in(deadLetters.getPipeline());
  }
}
