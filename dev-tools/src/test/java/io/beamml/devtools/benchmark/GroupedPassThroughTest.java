package io.beamml.devtools.benchmark;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.runners.commands.BatchRunnerDefaults;
import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.Order;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.runners.direct.DirectRunner;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The grouped pass-through is benchmark-backfill's ceiling for the ratio only if it does the
 * pass-through's work plus the two groupings and nothing else: the same records out, every copy
 * (duplicates included, which it must not drop as a dedup would), on the committed sample.
 */
public class GroupedPassThroughTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void theGroupingsWriteEveryParsedRecordOnceAsThePassThroughDoes() throws Exception {
    Path sample = ReferenceBackfillParityTest.sample();
    Path plain = tmp.getRoot().toPath().resolve("plain");
    Path grouped = tmp.getRoot().toPath().resolve("grouped");
    String[] direct =
        BatchRunnerDefaults.withDefaults(
            new String[] {"--runner=" + DirectRunner.class.getSimpleName()});
    BenchmarkBackfillCommand.passThrough(sample, plain, direct, false);
    BenchmarkBackfillCommand.passThrough(sample, grouped, direct, true);

    List<String> clicks = records(plain.resolve("clicks"), ClickEvent.class);
    List<String> sales = records(plain.resolve("sales"), Order.class);
    assertTrue("the sample has clicks and sales", !clicks.isEmpty() && !sales.isEmpty());
    assertTrue(
        "the sample's duplicate clicks reach the output",
        clicks.size() > clicks.stream().distinct().count());
    assertEquals(clicks, records(grouped.resolve("clicks"), ClickEvent.class));
    assertEquals(sales, records(grouped.resolve("sales"), Order.class));
  }

  /** Every record of the Avro files under {@code dir}, as text, sorted. */
  private static <T extends SpecificRecord> List<String> records(Path dir, Class<T> type)
      throws IOException {
    List<String> records = new ArrayList<>();
    for (Path file : RowDigest.files(dir, ".avro")) {
      try (DataFileReader<T> reader =
          new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
        reader.forEach(r -> records.add(r.toString()));
      }
    }
    records.sort(null);
    return records;
  }
}
