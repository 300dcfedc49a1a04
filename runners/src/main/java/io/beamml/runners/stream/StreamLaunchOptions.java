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
}
