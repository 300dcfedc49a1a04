package io.beamml.runners.metrics;

import java.lang.reflect.Field;
import java.util.concurrent.ExecutionException;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.runners.flink.FlinkDetachedRunnerResult;
import org.apache.beam.runners.flink.metrics.FlinkMetricContainer;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobCancellationException;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Waits for a job Beam submitted to Flink detached and reads its final metrics. Beam's detached
 * result polls the job's status, and on embedded Flink the mini cluster shuts down with the job:
 * from then on the result can tell neither how the job ended nor its metrics. Flink's own job
 * client keeps both in its result future, so this reads the client Beam holds (a private field of
 * {@link FlinkDetachedRunnerResult} in Beam 2.70.0; a test on embedded Flink covers it).
 */
public final class DetachedFlinkJob {

  private DetachedFlinkJob() {}

  /** How the job ended, and its final Beam metrics when it finished (null otherwise). */
  record End(PipelineResult.State state, @Nullable MetricResults metrics) {}

  static boolean isDetachedFlink(PipelineResult result) {
    return result instanceof FlinkDetachedRunnerResult;
  }

  /**
   * Blocks until the job ends: DONE with its final metrics, or CANCELLED.
   *
   * @throws RuntimeException carrying Flink's cause when the job failed
   */
  static End await(PipelineResult result) {
    JobClient client = jobClient(result);
    try {
      JobExecutionResult done = client.getJobExecutionResult().get();
      Object containers =
          done.getAllAccumulatorResults().get(FlinkMetricContainer.ACCUMULATOR_NAME);
      MetricResults metrics =
          containers instanceof MetricsContainerStepMap
              ? MetricsContainerStepMap.asAttemptedOnlyMetricResults(
                  (MetricsContainerStepMap) containers)
              : null;
      return new End(PipelineResult.State.DONE, metrics);
    } catch (ExecutionException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof JobCancellationException) {
          return new End(PipelineResult.State.CANCELLED, null);
        }
      }
      throw new RuntimeException("the Flink job failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the Flink job", e);
    }
  }

  /**
   * Flink's client of a job Beam started detached: how {@code JobControl} stops it with a
   * savepoint.
   */
  public static JobClient jobClient(PipelineResult result) {
    if (!isDetachedFlink(result)) {
      throw new IllegalArgumentException(
          "not a detached Flink job (run it with --attachedMode=false): " + result);
    }
    try {
      Field field = FlinkDetachedRunnerResult.class.getDeclaredField("jobClient");
      field.setAccessible(true);
      return (JobClient) field.get(result);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot reach the Flink job client inside Beam's detached result"
              + " (has Beam's FlinkDetachedRunnerResult changed?): "
              + e,
          e);
    }
  }
}
