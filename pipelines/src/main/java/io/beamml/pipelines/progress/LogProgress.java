package io.beamml.pipelines.progress;

import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of a long batch run, logged by time rather than by count: every {@link
 * #INTERVAL_SECONDS} seconds one line with what this JVM has read and written so far and the
 * elapsed time ({@code progress: 40 s, clicks read 512000, feature rows written 98000}). Steps tick
 * it as records pass ({@link #tick}), so it needs no extra pass over the data, no metrics endpoint
 * and no runner support: on the Direct runner and embedded Flink the launcher's JVM logs it, on a
 * cluster every worker logs its own share. Counts only; never logs a payload.
 */
public final class LogProgress {

  /** Seconds between progress lines. */
  public static final int INTERVAL_SECONDS = 10;

  /** How long after the counts last moved the lines go on. */
  public static final int QUIET_AFTER_SECONDS = 120;

  private static final Logger LOG = LoggerFactory.getLogger(LogProgress.class);
  private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();
  private static volatile long startNanos;
  private static volatile long lastTotal = -1;
  private static volatile long lastMoveNanos;
  private static volatile ScheduledExecutorService reporter;

  private LogProgress() {}

  /**
   * Starts counting a new run in this JVM: clears the counts and restarts the clock. A pipeline
   * calls it when it is built, so the launcher's lines (Direct runner, embedded Flink) are per run.
   */
  public static void newRun() {
    COUNTS.clear();
    startNanos = System.nanoTime();
    lastMoveNanos = startNanos;
  }

  /**
   * Ends this JVM's run: logs its last line ({@code progress: finished in 31 s, ...}) and clears
   * the counts, so the reporter falls quiet at once instead of repeating the final figures through
   * the next job's run (a benchmark, a test suite or a retrain runs several in one JVM).
   */
  public static void endRun() {
    long total = 0;
    for (LongAdder a : COUNTS.values()) {
      total += a.sum();
    }
    if (total > 0) {
      LOG.info(line().replaceFirst("^progress: ", "progress: finished in "));
    }
    COUNTS.clear();
    lastTotal = 0;
  }

  /** Counts one record of {@code what} (e.g. "clicks read"). */
  public static void tick(String what) {
    LongAdder adder = COUNTS.get(what);
    if (adder == null) {
      adder = COUNTS.computeIfAbsent(what, k -> new LongAdder());
      startReporter();
    }
    adder.increment();
  }

  /** The line the reporter logs, for the counts so far. */
  public static String line() {
    StringJoiner parts =
        new StringJoiner(
            ", ", "progress: " + (System.nanoTime() - startNanos) / 1_000_000_000L + " s, ", "");
    new TreeMap<>(COUNTS).forEach((what, n) -> parts.add(what + " " + n.sum()));
    return parts.toString();
  }

  private static synchronized void startReporter() {
    if (reporter != null) {
      return;
    }
    if (startNanos == 0) {
      newRun();
    }
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "beamml-progress");
              t.setDaemon(true);
              return t;
            });
    s.scheduleAtFixedRate(
        LogProgress::report, INTERVAL_SECONDS, INTERVAL_SECONDS, TimeUnit.SECONDS);
    reporter = s;
  }

  /**
   * Logs every interval while a run is moving, and through pauses of up to {@link
   * #QUIET_AFTER_SECONDS} (a long sort or shuffle ticks nothing); then stays quiet, so a JVM that
   * finished its run and lives on (a test suite) does not log forever.
   */
  private static void report() {
    long total = 0;
    for (LongAdder a : COUNTS.values()) {
      total += a.sum();
    }
    long now = System.nanoTime();
    if (total != lastTotal) {
      lastTotal = total;
      lastMoveNanos = now;
    }
    if (total > 0 && now - lastMoveNanos <= TimeUnit.SECONDS.toNanos(QUIET_AFTER_SECONDS)) {
      LOG.info(line());
    }
  }
}
