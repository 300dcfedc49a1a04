package io.beamml.runners.stream;

import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;

/** Stopping a streaming job that was started detached. */
public final class JobControl {

  private JobControl() {}

  /**
   * Cancels the job and waits until it has stopped. Embedded Flink shuts its mini cluster down
   * with the job, after which the result can no longer be asked for its state: that means done.
   */
  public static void cancel(PipelineResult job) {
    try {
      job.cancel();
      job.waitUntilFinish(Duration.standardSeconds(60));
    } catch (Exception e) {
      if (!clusterGone(e)) {
        throw new IllegalStateException("could not cancel the job: " + e.getMessage(), e);
      }
    }
  }

  /** Whether the job is still running; a job whose embedded cluster is gone is not. */
  public static boolean running(PipelineResult job) {
    try {
      return !job.getState().isTerminal();
    } catch (RuntimeException e) {
      if (clusterGone(e)) {
        return false;
      }
      throw e;
    }
  }

  private static boolean clusterGone(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("MiniCluster is not yet running or has already been shut down")) {
        return true;
      }
    }
    return false;
  }
}
