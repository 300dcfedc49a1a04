package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertEquals;

import io.beamml.local.EventFeed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the exactly-once fault tests ({@code *FaultTest}) share: the job's flags, waiting for the
 * outputs to settle after a fault, the end-to-end check (every message sent has exactly one outcome
 * for a {@code read_committed} consumer: a prediction, a caught duplicate or a dead letter) and the
 * one-line figures each test prints.
 */
final class FaultChecks {

  private FaultChecks() {}

  /** An exactly-once stream on {@code topics}, reading profiles from {@code data}. */
  static String[] exactlyOnceFlags(
      StreamLosslessTest.Topics topics, Path data, String group, String... extra) {
    List<String> flags =
        new ArrayList<>(
            List.of(
                "--profiles=" + data.resolve("profiles") + "/*.csv",
                "--consumerGroup=" + group,
                "--featureMode=low_latency",
                "--deliveryGuarantee=exactly_once"));
    flags.addAll(List.of(extra));
    return topics.flags(flags.toArray(new String[0]));
  }

  /**
   * Milliseconds from {@code sinceNanos} until the outputs exceed {@code before}, or -1 when none
   * came within {@code timeout}.
   */
  static long millisToOutputBeyond(
      StreamLosslessTest.Outputs out, long before, long sinceNanos, Duration timeout)
      throws InterruptedException {
    return out.awaitAtLeast(before + 1, timeout)
        ? (System.nanoTime() - sinceNanos) / 1_000_000
        : -1;
  }

  /**
   * Waits for the feed to finish and every message to be accounted for, then for the predictions to
   * go quiet (so that repeats, if any, had time to show), and accounts.
   */
  static StreamLosslessTest.Accounting settle(
      StreamLosslessTest.Outputs out, EventFeed feed, Duration timeout) throws Exception {
    feed.await(timeout);
    out.awaitAccounted(timeout);
    out.predictions.awaitQuiet(Duration.ofSeconds(5), Duration.ofSeconds(60));
    return out.account();
  }

  /** Nothing lost, nothing repeated, and the job did predict. */
  static void assertExactlyOnce(StreamLosslessTest.Accounting accounting) {
    assertThat("messages with no outcome (lost)", accounting.missing, empty());
    assertThat("messages with more than one outcome", accounting.repeated, empty());
    assertEquals("repeated predictions", 0, accounting.repeatedPredictions);
    assertEquals("outcomes beyond one per message", 0, accounting.repeatedOutcomes);
    assertThat(accounting.predictions, greaterThan(0L));
  }

  /** The figures for a closing note: sent, outcomes by kind, repeated and lost. */
  static String figures(StreamLosslessTest.Accounting a) {
    return String.format(
        "%d sent, %d predictions, %d dead letters, %d duplicates caught (read_committed);"
            + " %d repeated predictions, %d outcomes beyond one per message, %d lost",
        a.sent,
        a.predictions,
        a.deadLetters,
        a.duplicates,
        a.repeatedPredictions,
        a.repeatedOutcomes,
        a.missing.size());
  }
}
