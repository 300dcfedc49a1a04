package io.beamml.runners.stream;

import io.beamml.runners.metrics.DetachedFlinkJob;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.beam.sdk.PipelineResult;
import org.apache.flink.core.execution.SavepointFormatType;
import org.joda.time.Duration;

/** Stopping a streaming job that was started detached. */
public final class JobControl {

  private JobControl() {}

  /**
   * Cancels the job and waits until it has stopped, then releases the exactly-once Kafka writers
   * Beam cached in this JVM ({@link ExactlyOnceWriters}), so a job restarted here starts clean.
   * Embedded Flink shuts its mini cluster down with the job, after which the result can no longer
   * be asked for its state: that means done.
   */
  public static void cancel(PipelineResult job) {
    try {
      job.cancel();
      job.waitUntilFinish(Duration.standardSeconds(60));
    } catch (Exception e) {
      if (!clusterGone(e)) {
        throw new IllegalStateException("could not cancel the job: " + e.getMessage(), e);
      }
    } finally {
      // A job cancelled mid-transaction leaves Beam's cached exactly-once writers in it.
      ExactlyOnceWriters.releaseAll();
    }
  }

  /**
   * Stops a detached Flink job with a savepoint in {@code directory} and returns the savepoint's
   * path, for {@code --savepointPath} of the job that replaces it. The sources stop at the
   * savepoint's barrier and every step writes out what came before it, so the outputs written so
   * far are exactly those of the state saved: a job restored from it repeats nothing and misses
   * nothing. Works on embedded Flink and on a cluster alike (it asks Flink's job client).
   */
  public static String stopWithSavepoint(PipelineResult job, String directory) {
    try {
      String path =
          DetachedFlinkJob.jobClient(job)
              .stopWithSavepoint(false, directory, SavepointFormatType.CANONICAL)
              .get(180, TimeUnit.SECONDS);
      DetachedFlinkJob.jobClient(job)
          .getJobExecutionResult()
          .exceptionally(e -> null)
          .get(60, TimeUnit.SECONDS);
      ExactlyOnceWriters.releaseAll();
      return path;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the job with a savepoint", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not stop the job with a savepoint in " + directory + ": " + e, e);
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
      if (t.getMessage() != null
          && t.getMessage()
              .contains("MiniCluster is not yet running or has already been shut down")) {
        return true;
      }
    }
    return false;
  }
}
