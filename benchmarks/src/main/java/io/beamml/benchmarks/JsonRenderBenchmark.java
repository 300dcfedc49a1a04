package io.beamml.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.beamml.pipelines.io.IsoText;
import io.beamml.pipelines.io.JsonRecords;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one feature-store row costs to render as its JSON line: {@link JsonRecords#render} against
 * the baseline of Jackson's streaming generator writing the same line (what {@code JsonRecords} did
 * until 2026-12-08; {@code JsonTextTest} holds the two to the same characters). The rows are the
 * default spec's eleven features, mostly whole-number counts, as a backfill writes a million of.
 * Run: {@code java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main JsonRenderBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonRenderBenchmark {

  private static final int ROWS = 10_000;
  private static final JsonFactory JACKSON =
      JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

  private FeatureRow[] rows;
  private int next;

  @Setup
  public void setUp() {
    Random r = new Random(1);
    rows = new FeatureRow[ROWS];
    for (int i = 0; i < ROWS; i++) {
      List<FeatureValue> features = new ArrayList<>();
      for (String count : List.of("views_7d", "clicks_7d", "carts_7d", "orders_7d")) {
        features.add(new FeatureValue(count, (double) r.nextInt(50), null));
      }
      features.add(new FeatureValue("spend_7d", Math.round(r.nextDouble() * 1e5) / 100.0, null));
      features.add(new FeatureValue("orders_1d", (double) r.nextInt(5), null));
      features.add(new FeatureValue("clicks_1d", (double) r.nextInt(9), null));
      features.add(new FeatureValue("age", 18.0 + r.nextInt(60), null));
      features.add(new FeatureValue("gender", null, "M"));
      features.add(new FeatureValue("country", null, "DE"));
      features.add(new FeatureValue("tenure_days", (double) r.nextInt(2000), null));
      rows[i] =
          new FeatureRow(
              String.format("E%010d", i),
              Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()),
              1_767_225_600_250L + i * 1000L,
              "view",
              "3f5b61c44a67e486",
              features);
    }
  }

  private FeatureRow nextRow() {
    FeatureRow row = rows[next];
    next = (next + 1) % ROWS;
    return row;
  }

  @Benchmark
  public String jsonRecords() {
    return JsonRecords.render(nextRow());
  }

  /**
   * The baseline: the same line through a Jackson generator per row, into one reused,
   * unsynchronised buffer, as {@code JsonRecords} rendered before.
   */
  @Benchmark
  public String jacksonGenerator() throws IOException {
    FeatureRow row = nextRow();
    line.setLength(0);
    try (JsonGenerator g = JACKSON.createGenerator(lineWriter)) {
      g.writeStartObject();
      g.writeStringField("event_id", row.getEventId());
      g.writeStringField("customer_key", row.getCustomerKey());
      g.writeStringField("event_time", IsoText.instant(row.getEventTime()));
      g.writeStringField("event_type", row.getEventType());
      g.writeStringField("spec_fingerprint", row.getSpecFingerprint());
      for (FeatureValue f : row.getFeatures()) {
        g.writeFieldName(f.getName());
        if (f.getNumber() != null) {
          g.writeNumber(f.getNumber());
        } else if (f.getText() != null) {
          g.writeString(f.getText());
        } else {
          g.writeNull();
        }
      }
      g.writeEndObject();
    }
    return line.toString();
  }

  private final StringBuilder line = new StringBuilder(1024);

  private final Writer lineWriter =
      new Writer() {
        @Override
        public void write(char[] chars, int offset, int length) {
          line.append(chars, offset, length);
        }

        @Override
        public void write(String text, int offset, int length) {
          line.append(text, offset, offset + length);
        }

        @Override
        public void write(int c) {
          line.append((char) c);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
}
