package io.beamml.pipelines.io;

import io.beamml.schemas.DeadLetter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Writes every dead letter of a run as JSON Lines under {@code DIR/part-*.jsonl}. These files keep
 * raw input and so may hold personal data: on a local file system {@code DIR} is made owner-only
 * ({@code 700}) before anything is written into it; a batch run's files are made {@code 600} when
 * it is published ({@link RunOutput}). Elsewhere (gs://) the bucket's permissions decide.
 *
 * <p>An unbounded input needs {@link #withWindows}: each window's pane is then written as its own
 * files, named by window, pane and shard ({@code
 * DIR/part-START-END-pane-N[-late][-last]-SSSSS-of-NNNNN.jsonl}).
 */
public final class DeadLetterSink extends PTransform<PCollection<DeadLetter>, PDone> {

  private final String directory;
  private final @Nullable FileWindows windows;

  private DeadLetterSink(String directory, @Nullable FileWindows windows) {
    this.directory = directory;
    this.windows = windows;
  }

  public static DeadLetterSink to(String directory) {
    return new DeadLetterSink(directory, null);
  }

  /** Writes in these windows and shards: required for an unbounded input. */
  public DeadLetterSink withWindows(FileWindows value) {
    return new DeadLetterSink(directory, Objects.requireNonNull(value, "windows"));
  }

  @Override
  public PDone expand(PCollection<DeadLetter> deadLetters) {
    restrictLocalDirectory(directory);
    PCollection<DeadLetter> records = deadLetters;
    if (windows != null) {
      records = deadLetters.apply("AssignFileWindows", windows.<DeadLetter>assign());
    } else if (deadLetters.isBounded() == PCollection.IsBounded.UNBOUNDED) {
      throw new IllegalArgumentException(
          "unbounded dead letters are written to "
              + directory
              + " in windows: use withWindows(FileWindows)");
    }
    TextIO.Write write = TextIO.write().to(directory + "/part").withSuffix(".jsonl");
    if (windows != null) {
      write =
          write
              .withWindowedWrites()
              .withNumShards(windows.shards())
              .withShardNameTemplate(FileWindows.SHARD_TEMPLATE);
    } else {
      // One destination: nothing to spill, and no grouping step (a Flink sort) for the spill.
      write = write.withNoSpilling();
    }
    records
        .apply(
            "RenderDeadLetterJson",
            MapElements.into(TypeDescriptors.strings()).via(JsonRecords.renderer()))
        .setCoder(StringUtf8Coder.of())
        .apply("WriteDeadLetters", write);
    return PDone.in(deadLetters.getPipeline());
  }

  private static void restrictLocalDirectory(String directory) {
    Path dir = RunOutput.localPath(directory);
    if (dir == null) {
      return;
    }
    try {
      RunOutput.createOwnerOnlyDirectory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the dead-letter directory " + dir, e);
    }
  }
}
