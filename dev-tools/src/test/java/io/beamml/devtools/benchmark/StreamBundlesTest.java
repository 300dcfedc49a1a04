package io.beamml.devtools.benchmark;

import static org.junit.Assert.assertEquals;

import io.beamml.runners.commands.StreamCommand;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

/**
 * benchmark-stream times the stream with the bundles {@code ./pipeline stream} runs it with, not
 * with the batch defaults Beam derives for the benchmark command itself (10 s bundles, which held
 * the measured stream's outputs back for seconds).
 */
public class StreamBundlesTest {

  private static FlinkPipelineOptions bundles(String... args) {
    FlinkPipelineOptions flink =
        PipelineOptionsFactory.fromArgs(args).as(FlinkPipelineOptions.class);
    BenchmarkStreamCommand.streamBundles(args, flink);
    return flink;
  }

  @Test
  public void withoutFlagsTheStreamCommandsBundles() {
    FlinkPipelineOptions flink = bundles("--parallelism=2");
    assertEquals(StreamCommand.MAX_BUNDLE_TIME_MILLS, (long) flink.getMaxBundleTimeMills());
    assertEquals(
        "Beam's streaming default",
        PipelineOptionsFactory.fromArgs("--streaming=true")
            .as(FlinkPipelineOptions.class)
            .getMaxBundleSize(),
        flink.getMaxBundleSize());
    assertEquals(1000L, (long) flink.getMaxBundleSize());
  }

  @Test
  public void flagsGivenWin() {
    FlinkPipelineOptions flink = bundles("--maxBundleTimeMills=1000", "--maxBundleSize=50");
    assertEquals(1000L, (long) flink.getMaxBundleTimeMills());
    assertEquals(50L, (long) flink.getMaxBundleSize());
  }
}
