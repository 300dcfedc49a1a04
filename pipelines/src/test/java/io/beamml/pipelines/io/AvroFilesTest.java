package io.beamml.pipelines.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.pipelines.options.OutputOptions;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.Prediction;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The Avro files the project writes, as a reader outside it sees them. */
public class AvroFilesTest {

  private static final long TIME = 1_700_000_123_456L;
  private static final int SIGNUP_DAY = 19_000;

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static Prediction prediction(String id) {
    return Prediction.newBuilder()
        .setEventId(id)
        .setCustomerKey("k-" + id)
        .setEventTime(TIME)
        .setScore(0.25)
        .setModelName("promo")
        .setModelVersion("1")
        .setVariant("champion")
        .setSpecFingerprint("f")
        .build();
  }

  /** The shards written (one or more). */
  private List<Path> writePredictions(String... args) throws Exception {
    String dir = tmp.newFolder().toString();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(args).as(OutputOptions.class));
    p.apply(Create.of(prediction("a"), prediction("b")))
        .apply(
            PartitionedFileSink.of(
                Prediction.class,
                dir,
                OutputOptions.OutputFormat.avro,
                Prediction::getEventTime,
                JsonRecords.renderer()));
    p.run().waitUntilFinish();
    try (Stream<Path> walk = Files.walk(Path.of(dir))) {
      List<Path> files =
          walk.filter(f -> f.toString().endsWith(".avro")).sorted().collect(Collectors.toList());
      assertTrue(files.toString(), !files.isEmpty());
      return files;
    }
  }

  private static GenericData withTimeConversions() {
    GenericData data = new GenericData();
    data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    data.addLogicalTypeConversion(new TimeConversions.DateConversion());
    return data;
  }

  /** Every record of the files; each file's codec goes into {@code codecs} once. */
  private static List<GenericRecord> readGeneric(List<Path> files, Set<String> codecs)
      throws Exception {
    GenericData data = withTimeConversions();
    List<GenericRecord> records = new ArrayList<>();
    for (Path file : files) {
      try (DataFileReader<GenericRecord> reader =
          new DataFileReader<>(file.toFile(), new GenericDatumReader<>(null, null, data))) {
        codecs.add(reader.getMetaString("avro.codec"));
        assertEquals(
            "timestamp-millis",
            reader.getSchema().getField("event_time").schema().getLogicalType().getName());
        reader.forEach(records::add);
      }
    }
    return records;
  }

  @Test
  public void filesAreDeflatedAndDeclareTimesThatAGenericReaderReadsAsInstants() throws Exception {
    List<Path> files = writePredictions();
    Set<String> codecs = new TreeSet<>();
    List<GenericRecord> records = readGeneric(files, codecs);
    assertEquals(Set.of("deflate"), codecs);
    assertEquals(2, records.size());
    for (GenericRecord r : records) {
      assertEquals(Instant.ofEpochMilli(TIME), r.get("event_time"));
    }
    // The project's own readers still see the long they always had.
    try (DataFileReader<Prediction> reader =
        new DataFileReader<>(files.get(0).toFile(), new SpecificDatumReader<>(Prediction.class))) {
      assertEquals(TIME, reader.next().getEventTime());
    }
  }

  @Test
  public void theAvroCodecFlagChoosesAnotherCodec() throws Exception {
    Set<String> codecs = new TreeSet<>();
    readGeneric(writePredictions("--avroCodec=snappy"), codecs);
    assertEquals(Set.of("snappy"), codecs);
    codecs.clear();
    readGeneric(writePredictions("--avroCodec=none"), codecs);
    assertEquals(Set.of("null"), codecs);
  }

  @Test
  public void datesAreReadAsLocalDates() throws Exception {
    String prefix = tmp.newFolder().toString() + "/profiles";
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(
            Create.of(
                CustomerProfile.newBuilder()
                    .setCustomerKey("k")
                    .setAge(40)
                    .setGender("F")
                    .setCountry("DE")
                    .setSignupDate(SIGNUP_DAY)
                    .build()))
        .apply(
            AvroFiles.write(CustomerProfile.class, p.getOptions())
                .to(prefix)
                .withSuffix(".avro")
                .withoutSharding());
    p.run().waitUntilFinish();
    try (DataFileReader<GenericRecord> reader =
        new DataFileReader<>(
            new File(prefix + ".avro"),
            new GenericDatumReader<>(null, null, withTimeConversions()))) {
      assertEquals("deflate", reader.getMetaString("avro.codec"));
      assertEquals(LocalDate.ofEpochDay(SIGNUP_DAY), reader.next().get("signup_date"));
    }
  }

  /**
   * Python's reference reader (Debian's python3-avro) opens the file and sees a datetime; skips
   * without it.
   */
  @Test
  public void pythonsReferenceAvroReaderOpensTheFile() throws Exception {
    String python = null;
    for (String candidate : List.of("python3", "/usr/bin/python3")) {
      Process probe =
          new ProcessBuilder(candidate, "-c", "import avro.datafile")
              .redirectErrorStream(true)
              .start();
      probe.getInputStream().readAllBytes();
      if (probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0) {
        python = candidate;
        break;
      }
    }
    Assume.assumeTrue(
        "skipped: no python3 with the avro module (apt-get install python3-avro)", python != null);
    List<String> command =
        new ArrayList<>(
            List.of(
                python,
                "-c",
                String.join(
                    "\n",
                    "import sys, avro.datafile, avro.io",
                    "for path in sys.argv[1:]:",
                    "    for rec in avro.datafile.DataFileReader(open(path, 'rb'), avro.io.DatumReader()):",
                    "        print(rec['event_id'], rec['event_time'].isoformat())")));
    for (Path file : writePredictions()) {
      command.add(file.toString());
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(out, 0, p.exitValue());
    assertTrue(out, out.contains("a 2023-11-14T22:15:23.456000+00:00"));
    assertTrue(out, out.contains("b 2023-11-14T22:15:23.456000+00:00"));
  }
}
