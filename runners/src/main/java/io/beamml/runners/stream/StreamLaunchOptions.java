package io.beamml.runners.stream;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Launcher flags of {@code ./pipeline stream} that only the runners module acts on. */
public interface StreamLaunchOptions extends PipelineOptions {

  @Description(
      "Embedded Flink only: serve the in-process cluster's REST API on this loopback port, so"
          + " `./pipeline stop-stream --flinkMaster=127.0.0.1:PORT --savepointDir=DIR` can stop the job with a savepoint;"
          + " unset picks a free port no one knows")
  Integer getEmbeddedRestPort();

  void setEmbeddedRestPort(Integer value);

  @Description(
      "Embedded Flink with --checkpointingInterval only: where checkpoints are written when the"
          + " Flink configuration names no state.checkpoints.dir (Flink would otherwise keep them in"
          + " JobManager memory, capped at 5 MB, which exactly-once sink state outgrows under load);"
          + " unset uses <java.io.tmpdir>/beamml-checkpoints/<consumerGroup>")
  String getCheckpointDir();

  void setCheckpointDir(String value);
}
