package io.beamml.runners.metrics;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.pipelines.backfill.BackfillPipeline;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A batch job on embedded Flink serves its final values after it ended, equal to its run summary.
 */
public class FlinkBatchScrapeTest {

  static {
    for (String logger : new String[] {"org.apache.flink", "org.apache.beam.runners.flink"}) {
      System.setProperty("org.slf4j.simpleLogger.log." + logger, "warn");
    }
  }

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  @Test
  public void theBackfillOnEmbeddedFlinkEqualsItsRunSummary() throws Exception {
    Path out = TMP.newFolder("backfill").toPath();
    Path sample = ScrapedJobs.ROOT.resolve("test-data/sample");
    PipelineOptionsFactory.register(MetricsEndpointOptions.class);
    BackfillPipeline.Options options =
        PipelineOptionsFactory.fromArgs(
                "--runner=FlinkRunner",
                "--flinkMaster=[local]",
                "--parallelism=2",
                "--metricsPort=0")
            .as(BackfillPipeline.Options.class);
    options.setClicks(sample.resolve("clicks") + "/*.jsonl");
    options.setSales(sample.resolve("sales") + "/*.csv");
    options.setProfiles(sample.resolve("profiles") + "/*.csv");
    options.setOutput(out.toString());
    Pipeline p = Pipeline.create(options);
    BackfillPipeline.build(
        p,
        options,
        HmacKey.ofBytes("flink-metrics-key-0123456789".getBytes(StandardCharsets.UTF_8)));
    Scrape scrape;
    try (MonitoredJob job = MonitoredJob.start(p)) {
      assertEquals(PipelineResult.State.DONE, job.awaitEnd());
      scrape = Scrape.of(job.metricsPort().getAsInt());
    }
    assertEquals(
        List.of("clicks", "profiles", "sales"),
        SummaryScrapes.assertMatch(
            new ObjectMapper().readTree(RunSummary.read(out.toString())), scrape));
  }
}
