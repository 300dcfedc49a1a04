package io.beamml.pipelines.trainingset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.bigquery.model.Table;
import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.bigquery.AvroToBigQuery;
import io.beamml.pipelines.bigquery.BigQueryDestinations;
import io.beamml.pipelines.bigquery.FakeBigQuery;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.schemas.TrainingExample;
import io.beamml.training.data.Split;
import io.beamml.training.data.TrainingSet;
import io.beamml.training.data.TrainingSetReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The training-set build with {@code --sink=bigquery} against Beam's fake BigQuery, which refuses
 * one example, compared with a files run of the same sample: the training-examples table holds
 * exactly the Avro examples but the refused one, the dead-letter table exactly the files run's dead
 * letters plus the refused example, train still reads every example from the Avro files under
 * --output, and the summary balances.
 */
public class TrainingSetBigQueryTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final List<String> INPUTS = List.of("clicks", "sales", "profiles", "responses");

  private static List<TrainingExample> fileExamples;
  private static List<String> fileDeadLetters;
  private static JsonNode fileSummary;
  private static TrainingExample refused;
  private static FakeBigQuery bigQuery;
  private static Path out;
  private static JsonNode summary;

  @BeforeClass
  public static void runWithFilesThenWithBigQuery() throws Exception {
    Path files = TMP.newFolder("files").toPath();
    TrainingSetPipeline.run(options(files), SampleData.KEY);
    fileExamples = examples(files);
    fileDeadLetters =
        FakeBigQuery.deadLetterKeys(files.resolve(TrainingSetPipeline.DEAD_LETTERS_DIR));
    fileSummary = MAPPER.readTree(RunSummary.read(files.toString()));

    refused = fileExamples.get(0);
    String refusedId = refused.getPromoId();
    // Only examples carry promo_id: the dead letter that reports the refused one is accepted.
    bigQuery =
        FakeBigQuery.create("training_set").failing(r -> refusedId.equals(r.get("promo_id")));
    out = TMP.newFolder("bigquery").toPath();
    TrainingSetPipeline.Options options = options(out);
    bigQuery.configure(options);
    TrainingSetPipeline.run(options, SampleData.KEY);
    summary = MAPPER.readTree(RunSummary.read(out.toString()));
  }

  private static TrainingSetPipeline.Options options(Path out) {
    return TrainingSetPipelineTest.options(out, TrainingSetPipeline.Options.ExampleFormat.avro);
  }

  @Test
  public void tableHasTheExampleSchemaPartitionedBySendDay() throws Exception {
    Table table = bigQuery.table(BigQueryDestinations.TRAINING_EXAMPLES);
    assertEquals(AvroToBigQuery.tableSchema(TrainingExample.class), table.getSchema());
    assertEquals("DAY", table.getTimePartitioning().getType());
    assertEquals("sent_time", table.getTimePartitioning().getField());
    assertEquals(List.of("split", "customer_key"), table.getClustering().getFields());
  }

  @Test
  public void tableHoldsEveryAvroExampleOfTheFilesRunButTheRefusedOne() throws Exception {
    assertTrue("the sample yields examples", fileExamples.size() > 20);
    List<TrainingExample> accepted = new ArrayList<>(fileExamples);
    assertTrue(accepted.remove(refused));
    SampleData.assertSameLines(
        "training examples",
        FakeBigQuery.canonicalRecords(AvroToBigQuery.tableSchema(TrainingExample.class), accepted),
        bigQuery.canonicalRows(BigQueryDestinations.TRAINING_EXAMPLES));
  }

  @Test
  public void trainStillReadsEveryExampleFromTheAvroFilesUnderOutput() throws Exception {
    assertEquals(fileExamples, examples(out));
    TrainingSet set = TrainingSetReader.of(out.toString()).read();
    long rows = 0;
    for (Split s : Split.values()) {
      rows += set.split(s).rows();
    }
    assertEquals(fileExamples.size(), rows);
  }

  @Test
  public void deadLetterTableHoldsTheFilesRunsDeadLettersAndTheRefusedExample() throws Exception {
    FakeBigQuery.assertInputDeadLettersAndOneRefusal(
        bigQuery.rows(BigQueryDestinations.DEAD_LETTERS),
        fileDeadLetters,
        INPUTS,
        BigQueryDestinations.TRAINING_EXAMPLES,
        refused.getPromoId(),
        refused.getSentTime());
    FakeBigQuery.assertNoFallbackDeadLetters(out.resolve(TrainingSetPipeline.DEAD_LETTERS_DIR));
  }

  @Test
  public void summaryBalancesWithTheRefusedExampleAmongTheDeadLetters() {
    // The inputs count the same: every example is still an output of its response (in the Avro
    // files).
    FakeBigQuery.assertOneRowRefused(
        summary, fileSummary, INPUTS, BigQueryDestinations.TRAINING_EXAMPLES, fileExamples.size());
  }

  /** The Avro examples a run wrote under --output, by promotion id. */
  private static List<TrainingExample> examples(Path out) throws IOException {
    List<TrainingExample> examples =
        TrainingSetPipelineTest.readAvro(out.resolve(TrainingSetPipeline.EXAMPLES_DIR));
    examples.sort(Comparator.comparing(TrainingExample::getPromoId));
    return examples;
  }
}
