package io.beamml.pipelines.io;

import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * How the file sinks write an unbounded input: in fixed windows, each window's records in a fixed
 * number of shards per destination, each file written once the watermark passes its window.
 *
 * <p>The windows are those of the time a record reaches the sink (its own timestamp if that is
 * later), not of its event time. Dead letters, and rows of events accepted within the allowed
 * lateness, carry event times any distance behind the watermark; an event-time window that had
 * already fired would drop them. The watermark of a Kafka source never passes the wall clock (see
 * the stream's {@code EventTimePolicy}), so a record stamped on arrival is not late. Whatever still
 * arrives after its window fired (within one window's length) is written in a late pane of its own;
 * nothing is discarded. The record's event time still chooses its {@code event_date=} directory.
 */
public final class FileWindows implements Serializable {

  /**
   * TextIO's file name template for windowed writes, {@code -WINDOW-PANE-SHARD-of-SHARDS}: the
   * names FileIO gives, so every windowed file reads alike.
   */
  public static final String SHARD_TEMPLATE = "-W-P-SSSSS-of-NNNNN";

  private static final long serialVersionUID = 1L;

  private final Duration size;
  private final int shards;

  private FileWindows(Duration size, int shards) {
    this.size = size;
    this.shards = shards;
  }

  /** Windows of {@code size}, each written as {@code shards} files per destination directory. */
  public static FileWindows of(Duration size, int shards) {
    Objects.requireNonNull(size, "size");
    if (!size.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("a file window must be longer than zero, got " + size);
    }
    if (shards < 1) {
      throw new IllegalArgumentException("at least one file shard per window, got " + shards);
    }
    return new FileWindows(size, shards);
  }

  public Duration size() {
    return size;
  }

  public int shards() {
    return shards;
  }

  /** Stamps each record with its arrival time (or its own, if later) and windows it. */
  public <T> PTransform<PCollection<T>, PCollection<T>> assign() {
    return new Assign<>(size);
  }

  @Override
  public String toString() {
    return "FileWindows{" + size + ", " + shards + " shard(s)}";
  }

  private static final class Assign<T> extends PTransform<PCollection<T>, PCollection<T>> {
    private final Duration size;

    Assign(Duration size) {
      this.size = size;
    }

    @Override
    public PCollection<T> expand(PCollection<T> records) {
      return records
          .apply("StampArrivalTime", ParDo.of(new StampArrivalFn<T>()))
          .setCoder(records.getCoder())
          .apply(
              "WindowForFiles",
              Window.<T>into(FixedWindows.of(size))
                  .triggering(
                      AfterWatermark.pastEndOfWindow()
                          .withLateFirings(AfterPane.elementCountAtLeast(1)))
                  .withAllowedLateness(size)
                  .discardingFiredPanes());
    }
  }

  private static final class StampArrivalFn<T> extends DoFn<T, T> {
    @ProcessElement
    public void process(@Element T record, @Timestamp Instant timestamp, OutputReceiver<T> out) {
      Instant now = Instant.now();
      out.outputWithTimestamp(record, now.isAfter(timestamp) ? now : timestamp);
    }
  }
}
