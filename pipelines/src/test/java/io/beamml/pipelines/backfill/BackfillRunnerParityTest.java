package io.beamml.pipelines.backfill;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.pipelines.summary.RunSummary;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The same backfill on the Direct runner and on embedded Flink writes identical feature rows. */
public class BackfillRunnerParityTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void directAndEmbeddedFlinkWriteIdenticalFeatureRows() throws Exception {
    Path direct = tmp.newFolder("direct").toPath();
    Path flink = tmp.newFolder("flink").toPath();
    BackfillPipeline.run(BackfillPipelineTest.options(direct, OutputFormat.jsonl), SampleData.KEY);
    BackfillPipeline.run(
        BackfillPipelineTest.options(
            flink,
            OutputFormat.jsonl,
            "--runner=FlinkRunner",
            "--flinkMaster=[local]",
            "--parallelism=2"),
        SampleData.KEY);

    List<String> directRows =
        SampleData.linesUnder(direct.resolve(BackfillPipeline.FEATURES_DIR), ".jsonl");
    List<String> flinkRows =
        SampleData.linesUnder(flink.resolve(BackfillPipeline.FEATURES_DIR), ".jsonl");
    assertTrue("the sample yields feature rows", directRows.size() > 900);
    SampleData.assertSameLines("feature rows", directRows, flinkRows);
    // Messages may name the run's plausible-time bound (now + 1 day): compare what was refused and
    // why.
    SampleData.assertSameLines(
        "dead letters",
        SampleData.deadLetterKeys(direct.resolve(BackfillPipeline.DEAD_LETTERS_DIR)),
        SampleData.deadLetterKeys(flink.resolve(BackfillPipeline.DEAD_LETTERS_DIR)));
    assertEquals(RunSummary.read(direct.toString()), RunSummary.read(flink.toString()));
  }
}
