package io.beamml.pipelines.io;

import io.beamml.schemas.Contribution;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.FileSchemas;
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
 *
 * <p>The text is Jackson's compact form, written by {@link JsonText} without a generator.
 */
public final class JsonRecords {

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
    StringBuilder out = LINE.get();
    out.setLength(0);
    writeRecord(out, FileSchemas.of(record.getClass()), record);
    return out.toString();
  }

  /**
   * Each thread renders into its own line buffer, kept between records: the feature store's writer
   * renders a million rows per backfill.
   */
  private static final ThreadLocal<StringBuilder> LINE =
      ThreadLocal.withInitial(() -> new StringBuilder(1024));

  private static void writeRecord(StringBuilder out, Schema schema, IndexedRecord record) {
    out.append('{');
    boolean first = true;
    for (Schema.Field field : schema.getFields()) {
      Object value = record.get(field.pos());
      Schema type = nonNull(field.schema());
      if (isListOf(type, FEATURE_VALUE)) {
        if (value != null) {
          for (Object item : (Iterable<?>) value) {
            FeatureValue f = (FeatureValue) item;
            first = comma(out, first);
            JsonText.name(out, f.getName());
            if (f.getNumber() != null) {
              JsonText.number(out, f.getNumber());
            } else if (f.getText() != null) {
              JsonText.string(out, f.getText());
            } else {
              out.append("null");
            }
          }
        }
        continue;
      }
      first = comma(out, first);
      JsonText.name(out, field.name());
      writeValue(out, type, value);
    }
    out.append('}');
  }

  /** A comma unless {@code first}; returns false, the next item's {@code first}. */
  private static boolean comma(StringBuilder out, boolean first) {
    if (!first) {
      out.append(',');
    }
    return false;
  }

  private static void writeValue(StringBuilder out, Schema type, @Nullable Object value) {
    if (value == null) {
      out.append("null");
      return;
    }
    LogicalType logical = type.getLogicalType();
    boolean first = true;
    switch (type.getType()) {
      case RECORD:
        writeRecord(out, type, (IndexedRecord) value);
        return;
      case ARRAY:
        if (isListOf(type, CONTRIBUTION)) {
          out.append('{');
          for (Object item : (Iterable<?>) value) {
            Contribution c = (Contribution) item;
            first = comma(out, first);
            JsonText.name(out, c.getFeature());
            JsonText.number(out, c.getValue());
          }
          out.append('}');
          return;
        }
        out.append('[');
        for (Object item : (Iterable<?>) value) {
          first = comma(out, first);
          writeValue(out, nonNull(type.getElementType()), item);
        }
        out.append(']');
        return;
      case MAP:
        out.append('{');
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          first = comma(out, first);
          JsonText.name(out, e.getKey().toString());
          writeValue(out, nonNull(type.getValueType()), e.getValue());
        }
        out.append('}');
        return;
      case LONG:
        long n = ((Number) value).longValue();
        if (logical instanceof LogicalTypes.TimestampMillis) {
          JsonText.string(out, IsoText.instant(n));
        } else {
          out.append(n);
        }
        return;
      case INT:
        int i = ((Number) value).intValue();
        if (logical instanceof LogicalTypes.Date) {
          JsonText.string(out, IsoText.date(i));
        } else {
          out.append(i);
        }
        return;
      case FLOAT:
        JsonText.number(out, ((Number) value).floatValue());
        return;
      case DOUBLE:
        JsonText.number(out, ((Number) value).doubleValue());
        return;
      case BOOLEAN:
        out.append(((Boolean) value).booleanValue());
        return;
      case BYTES:
        ByteBuffer bytes = ((ByteBuffer) value).duplicate();
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        JsonText.string(out, Base64.getEncoder().encodeToString(copy));
        return;
      case FIXED:
        JsonText.string(out, Base64.getEncoder().encodeToString(((GenericFixed) value).bytes()));
        return;
      default: // STRING, ENUM
        JsonText.string(out, value.toString());
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
