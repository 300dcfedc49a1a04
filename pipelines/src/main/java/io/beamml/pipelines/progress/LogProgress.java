package io.beamml.pipelines.progress;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.transforms.DoFn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs how many records of a source this JVM has read, every {@code every} records, so a long
 * backfill shows it is moving. Counts only; never logs a payload.
 */
public final class LogProgress<T> extends DoFn<T, Void> {

  private static final Logger LOG = LoggerFactory.getLogger(LogProgress.class);
  private static final ConcurrentHashMap<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

  private final String what;
  private final long every;

  public LogProgress(String what, long every) {
    this.what = what;
    this.every = every;
  }

  @ProcessElement
  public void processElement() {
    long n = COUNTS.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    if (n % every == 0) {
      LOG.info("{}: {} records read", what, n);
    }
  }
}
