package io.beamml.benchmarks;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.coders.SpecificRecordCoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
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
 * What a record costs each time Flink's batch runner moves it between steps (every shuffle, every
 * step with two readers): one encode and one decode by its coder. Beam's {@code AvroCoder} is the
 * baseline, measured in the same run; the bytes of both coders are the same. Run: {@code java -cp
 * benchmarks/target/benchmarks.jar org.openjdk.jmh.Main RecordCoderBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RecordCoderBenchmark {

  @Param({"specific-record", "avro"})
  public String coder;

  @Param({"CustomerEvent", "FeatureRow"})
  public String record;

  private Coder<SpecificRecordBase> recordCoder;
  private SpecificRecordBase value;
  private byte[] encoded;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);

  @Setup
  @SuppressWarnings("unchecked")
  public void setUp() throws IOException {
    Class<? extends SpecificRecordBase> type;
    if (record.equals("CustomerEvent")) {
      type = CustomerEvent.class;
      value =
          CustomerEvent.newBuilder()
              .setEventId("E0000683397")
              .setCustomerKey("004dfd22220e91d5daa98763094221b5cc2261f3b8c3c0887ae20af030e90ee4")
              .setEventType("click")
              .setEventTime(1_768_481_711_472L)
              .setAmount(null)
              .setChannel("email")
              .build();
    } else {
      type = FeatureRow.class;
      List<FeatureRow> rows = BenchmarkData.rows(1, 7);
      value = rows.get(0);
    }
    recordCoder =
        (Coder<SpecificRecordBase>)
            (Coder<?>)
                (coder.equals("avro")
                    ? AvroCoder.specific(type)
                    : SpecificRecordCoder.ofRecordClass(type));
    out.reset();
    recordCoder.encode(value, out);
    encoded = out.toByteArray();
  }

  @Benchmark
  public int encode() throws IOException {
    out.reset();
    recordCoder.encode(value, out);
    return out.size();
  }

  @Benchmark
  public Object decode() throws IOException {
    return recordCoder.decode(new ByteArrayInputStream(encoded));
  }
}
