package io.beamml.pipelines.io;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.FileBasedSource;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.SourceTestUtils;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RawRecordsTest {

  @Rule public final transient TestPipeline pipeline = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();

  private Path write(String name, byte[] content) throws IOException {
    Path file = tmp.getRoot().toPath().resolve(name);
    Files.write(file, content);
    return file;
  }

  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String) {
        out.writeBytes(((String) part).getBytes(StandardCharsets.UTF_8));
      } else {
        out.write((Integer) part);
      }
    }
    return out.toByteArray();
  }

  /**
   * Records as text, with any byte that is not ASCII shown as {@code <xx>}, so bytes compare
   * exactly.
   */
  private static List<String> show(List<byte[]> records) {
    List<String> shown = new ArrayList<>();
    for (byte[] record : records) {
      shown.add(show(record));
    }
    return shown;
  }

  private static String show(byte[] record) {
    StringBuilder sb = new StringBuilder();
    for (byte b : record) {
      if (b >= 0x20 && b < 0x7f) {
        sb.append((char) b);
      } else {
        sb.append(String.format("<%02x>", b & 0xff));
      }
    }
    return sb.toString();
  }

  private static RawRecordSource source(Path file, boolean csv, long max) {
    return new RawRecordSource(
        StaticValueProvider.of(file.toString()), EmptyMatchTreatment.DISALLOW, csv, max, null);
  }

  private static List<String> read(BoundedSource<byte[]> source) throws Exception {
    return show(SourceTestUtils.readFromSource(source, OPTIONS));
  }

  @Test
  public void linesAreTheBytesReadBetweenAnyLineEndingLikeTextIo() throws Exception {
    byte[] content =
        bytes(
            0xEF,
            0xBB,
            0xBF,
            "a1\n",
            "b2\r\n",
            "\n",
            "c",
            0xff,
            "3\r",
            "d4\r\n\r\n",
            "  \n",
            "last");
    Path file = write("mixed.jsonl", content);

    assertEquals(
        List.of("a1", "b2", "", "c<ff>3", "d4", "", "  ", "last"),
        read(source(file, false, 1 << 20)));

    // The same framing as TextIO's for the same file (which decodes the <ff> leniently).
    PCollection<String> ours =
        pipeline
            .apply("Ours", RawRecords.lines(file.toString()))
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via((byte[] b) -> new String(b, StandardCharsets.UTF_8)));
    PCollection<String> textIo = pipeline.apply("TextIO", TextIO.read().from(file.toString()));
    PAssert.that(ours).containsInAnyOrder("a1", "b2", "", "c\uFFFD3", "d4", "", "  ", "last");
    PAssert.that(textIo).containsInAnyOrder("a1", "b2", "", "c\uFFFD3", "d4", "", "  ", "last");
    pipeline.run();
  }

  @Test
  public void batchesOfEachSplitHoldEachLineExactlyOnce() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      sb.append("{\"line\":")
          .append(i)
          .append("}")
          .append(i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r");
    }
    Path file = write("batched.jsonl", bytes(sb.toString()));
    RawRecordSource source = source(file, false, 1 << 20);
    List<String> expected = new java.util.ArrayList<>(read(source));
    RecordBatchSource<byte[]> batched = new RecordBatchSource<>(source, 7);
    List<? extends BoundedSource<List<byte[]>>> splits = batched.split(97, OPTIONS);
    assertEquals(true, splits.size() > 10);
    List<String> got = new java.util.ArrayList<>();
    for (BoundedSource<List<byte[]>> split : splits) {
      for (List<byte[]> batch : SourceTestUtils.readFromSource(split, OPTIONS)) {
        assertEquals(true, batch.size() >= 1 && batch.size() <= 7);
        got.addAll(show(batch));
      }
    }
    assertEquals(300, got.size());
    assertEquals(expected, got);
    // The whole file unsplit, in batches, in order.
    List<String> whole = new java.util.ArrayList<>();
    for (List<byte[]> batch : SourceTestUtils.readFromSource(batched, OPTIONS)) {
      whole.addAll(show(batch));
    }
    assertEquals(expected, whole);
  }

  @Test
  public void splitsOfALinesFileReadEachLineExactlyOnce() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      sb.append("{\"line\":")
          .append(i)
          .append("}")
          .append(i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r");
    }
    Path file = write("many.jsonl", bytes(sb.toString()));
    RawRecordSource source = source(file, false, 1 << 20);
    List<? extends FileBasedSource<byte[]>> bundles = source.split(97, OPTIONS);
    assertEquals(true, bundles.size() > 10);
    SourceTestUtils.assertSourcesEqualReferenceSource(source, bundles, OPTIONS);
    SourceTestUtils.assertSplitAtFractionExhaustive(bundles.get(1), OPTIONS);
    assertEquals(300, read(source).size());
  }

  @Test
  public void csvRecordsKeepLineBreaksInsideQuotes() throws Exception {
    byte[] content =
        bytes(
            "id,note\r\n",
            "1,\"two\r\nlines, and \"\"quotes\"\"\"\r\n",
            "2,\"lf\nonly\"\n",
            "3,plain\n",
            "\n",
            "4,\"\",\"\"\"\"\r\n",
            "5,stray\"quote\n",
            "6,end");
    Path file = write("notes.csv", content);

    assertEquals(
        List.of(
            "id,note",
            "1,\"two<0d><0a>lines, and \"\"quotes\"\"\"",
            "2,\"lf<0a>only\"",
            "3,plain",
            "",
            "4,\"\",\"\"\"\"",
            "5,stray\"quote",
            "6,end"),
        read(source(file, true, 1 << 20)));
  }

  @Test
  public void csvFilesAreNotSplitSoQuotesAreAlwaysKnown() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      sb.append(i).append(",\"a\nb\"\n");
    }
    Path file = write("quoted.csv", bytes(sb.toString()));
    RawRecordSource source = source(file, true, 1 << 20);
    assertEquals(1, source.split(10, OPTIONS).size());
    List<String> records = read(source);
    assertEquals(100, records.size());
    assertEquals("7,\"a<0a>b\"", records.get(7));
  }

  @Test
  public void anUnclosedQuoteEndsAtTheFirstLineBreakPastTheLimitAndLongRecordsAreCut()
      throws Exception {
    Path file =
        write(
            "open.csv",
            bytes("1,\"open\n", "x".repeat(30), "\n", "2,next\n", "y".repeat(40), "\n3,ok"));
    assertEquals(
        List.of("1,\"open<0a>" + "x".repeat(13), "2,next", "y".repeat(21), "3,ok"),
        read(source(file, true, 20)));
  }

  @Test
  public void compressedFilesAreReadByTheirExtension() throws Exception {
    Path file = tmp.getRoot().toPath().resolve("sales.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(bytes("1,\"a\r\nb\"\r\n2,c\n"));
    }
    PCollection<String> records =
        pipeline
            .apply(RawRecords.csv(file.toString()))
            .apply(MapElements.into(TypeDescriptors.strings()).via(RawRecordsTest::show));
    PAssert.that(records).containsInAnyOrder("1,\"a<0d><0a>b\"", "2,c");
    pipeline.run();
  }
}
