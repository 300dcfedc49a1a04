package io.beamml.pipelines.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.beamml.schemas.Contribution;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.FileSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The JSON Lines rendering of every record the pipelines write (files, Kafka topics, the serving
 * audit log), driven by the record's shipped Avro schema ({@link FileSchemas}): every field in
 * schema order under its Avro name, so a field added to an {@code .avsc} appears in every JSON
 * output without code. Flat objects that load as table rows:
 *
 * <ul>
 *   <li>{@code timestamp-millis} as ISO-8601 UTC text, {@code date} as {@code YYYY-MM-DD};
 *   <li>a missing (null) value as JSON null;
 *   <li>a list of {@code FeatureValue} spread into the object, one property per feature by its name
 *       (number, text or null): the wide row of the feature store;
 *   <li>a list of {@code Contribution} as one object, feature name to contribution;
 *   <li>other records nested, other lists as arrays, bytes as base64.
 * </ul>
 */
public final class JsonRecords {

  /**
   * Doubles through Jackson's shortest-digits writer (Schubfach, what {@code Double.toString} is
   * from Java 19): the same number, without Java 17's slower and sometimes longer digits.
   */
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

  private static final String FEATURE_VALUE = FeatureValue.getClassSchema().getFullName();
  private static final String CONTRIBUTION = Contribution.getClassSchema().getFullName();

  private JsonRecords() {}

  /**
   * {@link #render} as a function a pipeline step can hold. A named class, not the method
   * reference: javac's deserialisation of serialisable method references keys them by the target
   * method alone, so several {@code JsonRecords.renderer()} in one class, each for another record
   * type, would all come back with the first one's cast.
   */
  @SuppressWarnings("unchecked")
  public static <T extends SpecificRecord> SerializableFunction<T, String> renderer() {
    return (SerializableFunction<T, String>) Renderer.INSTANCE;
  }

  private static final class Renderer implements SerializableFunction<SpecificRecord, String> {
    private static final long serialVersionUID = 1L;
    static final Renderer INSTANCE = new Renderer();

    @Override
    public String apply(SpecificRecord record) {
      return render(record);
    }

    private Object readResolve() {
      return INSTANCE;
    }
  }

  /** One record as one line of JSON (no newline). */
  public static String render(SpecificRecord record) {
    LineWriter out = LINE.get();
    out.line.setLength(0);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      writeRecord(g, FileSchemas.of(record.getClass()), record);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot render a " + record.getClass().getSimpleName() + " as JSON", e);
    }
    return out.line.toString();
  }

  /**
   * Each thread renders into its own line buffer, kept between records: a {@code StringWriter} per
   * record synchronised every append and grew its buffer for most rows (the feature store's writer
   * renders a million rows per backfill).
   */
  private static final ThreadLocal<LineWriter> LINE = ThreadLocal.withInitial(LineWriter::new);

  /** An unsynchronised writer into a reusable {@code StringBuilder}. */
  private static final class LineWriter extends Writer {
    final StringBuilder line = new StringBuilder(1024);

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
  }

  private static void writeRecord(JsonGenerator g, Schema schema, IndexedRecord record)
      throws IOException {
    g.writeStartObject();
    for (Schema.Field field : schema.getFields()) {
      Object value = record.get(field.pos());
      Schema type = nonNull(field.schema());
      if (isListOf(type, FEATURE_VALUE)) {
        if (value != null) {
          for (Object item : (Iterable<?>) value) {
            FeatureValue f = (FeatureValue) item;
            g.writeFieldName(f.getName());
            if (f.getNumber() != null) {
              g.writeNumber(f.getNumber());
            } else if (f.getText() != null) {
              g.writeString(f.getText());
            } else {
              g.writeNull();
            }
          }
        }
        continue;
      }
      g.writeFieldName(field.name());
      writeValue(g, type, value);
    }
    g.writeEndObject();
  }

  private static void writeValue(JsonGenerator g, Schema type, @Nullable Object value)
      throws IOException {
    if (value == null) {
      g.writeNull();
      return;
    }
    LogicalType logical = type.getLogicalType();
    switch (type.getType()) {
      case RECORD:
        writeRecord(g, type, (IndexedRecord) value);
        return;
      case ARRAY:
        if (isListOf(type, CONTRIBUTION)) {
          g.writeStartObject();
          for (Object item : (Iterable<?>) value) {
            Contribution c = (Contribution) item;
            g.writeNumberField(c.getFeature(), c.getValue());
          }
          g.writeEndObject();
          return;
        }
        g.writeStartArray();
        for (Object item : (Iterable<?>) value) {
          writeValue(g, nonNull(type.getElementType()), item);
        }
        g.writeEndArray();
        return;
      case MAP:
        g.writeStartObject();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          g.writeFieldName(e.getKey().toString());
          writeValue(g, nonNull(type.getValueType()), e.getValue());
        }
        g.writeEndObject();
        return;
      case LONG:
        long n = ((Number) value).longValue();
        if (logical instanceof LogicalTypes.TimestampMillis) {
          g.writeString(IsoText.instant(n));
        } else {
          g.writeNumber(n);
        }
        return;
      case INT:
        int i = ((Number) value).intValue();
        if (logical instanceof LogicalTypes.Date) {
          g.writeString(IsoText.date(i));
        } else {
          g.writeNumber(i);
        }
        return;
      case FLOAT:
        g.writeNumber(((Number) value).floatValue());
        return;
      case DOUBLE:
        g.writeNumber(((Number) value).doubleValue());
        return;
      case BOOLEAN:
        g.writeBoolean((Boolean) value);
        return;
      case BYTES:
        ByteBuffer bytes = ((ByteBuffer) value).duplicate();
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        g.writeString(Base64.getEncoder().encodeToString(copy));
        return;
      case FIXED:
        g.writeString(Base64.getEncoder().encodeToString(((GenericFixed) value).bytes()));
        return;
      default: // STRING, ENUM
        g.writeString(value.toString());
    }
  }

  private static boolean isListOf(Schema type, String recordName) {
    if (type.getType() != Schema.Type.ARRAY) {
      return false;
    }
    Schema items = nonNull(type.getElementType());
    return items.getType() == Schema.Type.RECORD && items.getFullName().equals(recordName);
  }

  /** The non-null branch of a nullable union (the contract's only unions), or the schema itself. */
  private static Schema nonNull(Schema schema) {
    if (schema.getType() != Schema.Type.UNION) {
      return schema;
    }
    for (Schema branch : schema.getTypes()) {
      if (branch.getType() != Schema.Type.NULL) {
        return branch;
      }
    }
    return schema;
  }
}
