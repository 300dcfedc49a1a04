package io.beamml.pipelines.backfill;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.bigquery.model.Table;
import com.google.api.services.bigquery.model.TableRow;
import io.beamml.pipelines.SampleData;
import io.beamml.pipelines.bigquery.AvroToBigQuery;
import io.beamml.pipelines.bigquery.BigQueryDestinations;
import io.beamml.pipelines.bigquery.FakeBigQuery;
import io.beamml.pipelines.options.OutputOptions.OutputFormat;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.schemas.FeatureRow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The backfill with {@code --sink=bigquery} against Beam's fake BigQuery, which refuses one feature
 * row, compared with a files run of the same sample: the feature-rows table holds exactly the rows
 * the files run wrote but the refused one, the dead-letter table exactly the files run's dead
 * letters plus the refused row, and the summary balances.
 */
public class BackfillBigQueryTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final List<String> INPUTS = List.of("clicks", "sales", "profiles");

  private static List<FeatureRow> fileRows;
  private static List<String> fileDeadLetters;
  private static JsonNode fileSummary;
  private static FeatureRow refused;
  private static FakeBigQuery bigQuery;
  private static Path out;
  private static JsonNode summary;

  @BeforeClass
  public static void runWithFilesThenWithBigQuery() throws Exception {
    Path files = TMP.newFolder("files").toPath();
    BackfillPipeline.run(BackfillPipelineTest.options(files, OutputFormat.avro), SampleData.KEY);
    fileRows = readFeatureRows(files.resolve(BackfillPipeline.FEATURES_DIR));
    fileDeadLetters = FakeBigQuery.deadLetterKeys(files.resolve(BackfillPipeline.DEAD_LETTERS_DIR));
    fileSummary = MAPPER.readTree(RunSummary.read(files.toString()));

    refused = fileRows.get(0);
    String refusedId = refused.getEventId();
    // Only feature rows carry both event_id and features: the dead letter that reports it is
    // accepted.
    bigQuery =
        FakeBigQuery.create("backfill")
            .failing(r -> r.containsKey("features") && refusedId.equals(r.get("event_id")));
    out = TMP.newFolder("bigquery").toPath();
    BackfillPipeline.Options options = BackfillPipelineTest.options(out, OutputFormat.avro);
    bigQuery.configure(options);
    BackfillPipeline.run(options, SampleData.KEY);
    summary = MAPPER.readTree(RunSummary.read(out.toString()));
  }

  @Test
  public void tableHasTheFeatureRowSchemaPartitionedByEventDayAndClusteredByCustomer()
      throws Exception {
    Table table = bigQuery.table(BigQueryDestinations.FEATURE_ROWS);
    assertEquals(AvroToBigQuery.tableSchema(FeatureRow.class), table.getSchema());
    assertEquals("DAY", table.getTimePartitioning().getType());
    assertEquals("event_time", table.getTimePartitioning().getField());
    assertEquals(List.of("customer_key"), table.getClustering().getFields());
  }

  @Test
  public void tableHoldsEveryFeatureRowOfTheFilesRunButTheRefusedOne() throws Exception {
    assertTrue("the sample yields feature rows", fileRows.size() > 900);
    List<FeatureRow> accepted = new ArrayList<>(fileRows);
    assertTrue(accepted.remove(refused));
    SampleData.assertSameLines(
        "feature rows",
        FakeBigQuery.canonicalRecords(AvroToBigQuery.tableSchema(FeatureRow.class), accepted),
        bigQuery.canonicalRows(BigQueryDestinations.FEATURE_ROWS));
    assertFalse(
        "no feature files with --sink=bigquery",
        Files.exists(out.resolve(BackfillPipeline.FEATURES_DIR)));
  }

  @Test
  public void deadLetterTableHoldsTheFilesRunsDeadLettersAndTheRefusedRow() throws Exception {
    TableRow d =
        FakeBigQuery.assertInputDeadLettersAndOneRefusal(
            bigQuery.rows(BigQueryDestinations.DEAD_LETTERS),
            fileDeadLetters,
            INPUTS,
            BigQueryDestinations.FEATURE_ROWS,
            refused.getEventId(),
            refused.getEventTime());
    assertTrue(
        String.valueOf(d.get("message")),
        String.valueOf(d.get("message")).contains("rejected the row"));
    FakeBigQuery.assertNoFallbackDeadLetters(out.resolve(BackfillPipeline.DEAD_LETTERS_DIR));
  }

  @Test
  public void summaryBalancesWithTheRefusedRowAmongTheDeadLetters() {
    FakeBigQuery.assertOneRowRefused(
        summary, fileSummary, INPUTS, BigQueryDestinations.FEATURE_ROWS, fileRows.size());
  }

  /** Every feature row under the event-date partitions, sorted by event id. */
  private static List<FeatureRow> readFeatureRows(Path dir) throws IOException {
    List<FeatureRow> rows = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f :
          (Iterable<Path>)
              files
                      .filter(Files::isRegularFile)
                      .filter(f -> f.getFileName().toString().endsWith(".avro"))
                  ::iterator) {
        try (InputStream in = Files.newInputStream(f);
            DataFileStream<FeatureRow> stream =
                new DataFileStream<>(in, new SpecificDatumReader<>(FeatureRow.class))) {
          stream.forEach(rows::add);
        }
      }
    }
    rows.sort(Comparator.comparing(FeatureRow::getEventId));
    return rows;
  }
}
