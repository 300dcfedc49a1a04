package io.beamml.benchmarks;

import io.beamml.schemas.FileSchemas;
import io.beamml.schemas.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the Avro codec of written files costs: predictions written as the pipelines write them (file
 * schema with logical types), snappy being Beam's default and the baseline. Prints each codec's
 * file size once. Run: {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main
 * AvroCodecBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AvroCodecBenchmark {

  private static final int ROWS = 100_000;

  @Param({"snappy", "deflate-1", "deflate-6", "null"})
  public String codec;

  private Prediction[] rows;

  @Setup
  public void setUp() throws IOException {
    Random r = new Random(1);
    rows = new Prediction[ROWS];
    for (int i = 0; i < ROWS; i++) {
      rows[i] =
          Prediction.newBuilder()
              .setEventId("e-" + i)
              .setCustomerKey(Long.toHexString(r.nextLong()))
              .setEventTime(1_700_000_000_000L + i * 1000L)
              .setScore(r.nextDouble())
              .setModelName("promo")
              .setModelVersion("3")
              .setVariant(i % 10 == 0 ? "challenger" : "champion")
              .setSpecFingerprint("0123456789abcdef")
              .build();
    }
    System.out.printf("%n%s: %d predictions in %.2f MB%n", codec, ROWS, write() / 1e6);
  }

  @Benchmark
  public long write() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 22);
    try (DataFileWriter<Prediction> w =
        new DataFileWriter<>(new SpecificDatumWriter<>(FileSchemas.of(Prediction.class)))) {
      w.setCodec(factory(codec));
      w.create(FileSchemas.of(Prediction.class), out);
      for (Prediction p : rows) {
        w.append(p);
      }
    }
    return out.size();
  }

  private static CodecFactory factory(String name) {
    if (name.startsWith("deflate-")) {
      return CodecFactory.deflateCodec(Integer.parseInt(name.substring("deflate-".length())));
    }
    return CodecFactory.fromString(name);
  }
}
