package io.beamml.pipelines.bigquery;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FileSchemas;
import io.beamml.schemas.Prediction;
import io.beamml.schemas.TrainingExample;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Derives a BigQuery table schema from an Avro schema, and converts records to rows by the same
 * rules, so a table and the rows written into it cannot disagree. Column names are the Avro field
 * names; a field's doc becomes the column description.
 *
 * <table>
 *   <caption>Avro to BigQuery</caption>
 *   <tr><th>Avro</th><th>BigQuery</th><th>row value</th></tr>
 *   <tr><td>record</td><td>RECORD</td><td>nested row</td></tr>
 *   <tr><td>array</td><td>mode REPEATED of the item type</td><td>list</td></tr>
 *   <tr><td>union of null and one type</td><td>mode NULLABLE</td><td>value or absent</td></tr>
 *   <tr><td>any other field</td><td>mode REQUIRED</td><td></td></tr>
 *   <tr><td>long with logical type timestamp-millis</td><td>TIMESTAMP</td>
 *       <td>epoch <b>microseconds</b> (the contract's epoch milliseconds × 1000)</td></tr>
 *   <tr><td>long with logical type timestamp-micros</td><td>TIMESTAMP</td><td>as is</td></tr>
 *   <tr><td>int with logical type date</td><td>DATE</td><td>{@code YYYY-MM-DD}</td></tr>
 *   <tr><td>int, long</td><td>INT64</td><td>number</td></tr>
 *   <tr><td>float, double</td><td>FLOAT64</td><td>number</td></tr>
 *   <tr><td>boolean</td><td>BOOL</td><td>boolean</td></tr>
 *   <tr><td>string, enum</td><td>STRING</td><td>text</td></tr>
 *   <tr><td>bytes, fixed</td><td>BYTES</td><td>base64 text</td></tr>
 * </table>
 *
 * <p>BigQuery has no NULL array: a nullable array is REPEATED, and a null one is written as no
 * elements. Maps, arrays of arrays and unions of two non-null types have no faithful column type
 * and are refused when the schema is derived.
 *
 * <p>Feature rows keep their features as a REPEATED RECORD {@code features {name, number, text}},
 * not one column per feature: the table's schema then does not change when the feature spec does
 * (the {@code spec_fingerprint} column says which spec a row was computed under), and a view can
 * pivot the features a query needs, e.g. {@code (SELECT number FROM UNNEST(features) WHERE name =
 * 'clicks_7d') AS clicks_7d}. Training examples keep them the same way.
 */
public final class AvroToBigQuery {

  private AvroToBigQuery() {}

  /**
   * The Avro schema of a generated record class as shipped ({@link FileSchemas}), with the logical
   * types that make its times TIMESTAMP and its dates DATE columns.
   */
  public static Schema avroSchema(Class<? extends SpecificRecord> recordClass) {
    return FileSchemas.of(recordClass);
  }

  /** The table schema of a generated record class. */
  public static TableSchema tableSchema(Class<? extends SpecificRecord> recordClass) {
    return tableSchema(avroSchema(recordClass));
  }

  /** The table schema of an Avro record schema. */
  public static TableSchema tableSchema(Schema recordSchema) {
    requireRecord(recordSchema);
    return new TableSchema().setFields(fields(recordSchema));
  }

  /** The BigQuery type a field becomes (STRING, INT64, TIMESTAMP, RECORD, ...). */
  public static String bigQueryType(Schema.Field field) {
    return type(field.name(), itemSchema(nonNull(field.schema(), field.name()), field.name()));
  }

  /**
   * Converts a record to a row of {@link #tableSchema(Schema) its table}: a generated record by its
   * shipped schema (whose logical types say which longs are times), any other by its own.
   */
  public static TableRow toTableRow(IndexedRecord record) {
    Schema schema =
        record instanceof SpecificRecord
            ? FileSchemas.of(((SpecificRecord) record).getClass())
            : record.getSchema();
    return toTableRow(schema, record);
  }

  private static TableRow toTableRow(Schema recordSchema, IndexedRecord record) {
    TableRow row = new TableRow();
    for (Schema.Field field : recordSchema.getFields()) {
      Object value = record.get(field.pos());
      Schema schema = nonNull(field.schema(), field.name());
      if (schema.getType() == Schema.Type.ARRAY) {
        List<Object> items = new ArrayList<>();
        if (value != null) {
          for (Object item : (Collection<?>) value) {
            items.add(cell(field.name(), schema.getElementType(), item));
          }
        }
        row.set(field.name(), items);
      } else if (value != null) {
        row.set(field.name(), cell(field.name(), schema, value));
      }
    }
    return row;
  }

  /** Epoch milliseconds as the epoch microseconds a BigQuery TIMESTAMP holds. */
  public static long toMicros(long epochMillis) {
    return Math.multiplyExact(epochMillis, 1000L);
  }

  public static TableRow featureRow(FeatureRow row) {
    return toTableRow(row);
  }

  public static TableRow prediction(Prediction prediction) {
    return toTableRow(prediction);
  }

  public static TableRow trainingExample(TrainingExample example) {
    return toTableRow(example);
  }

  public static TableRow deadLetter(DeadLetter deadLetter) {
    return toTableRow(deadLetter);
  }

  public static TableRow auditRecord(AuditRecord audit) {
    return toTableRow(audit);
  }

  private static List<TableFieldSchema> fields(Schema recordSchema) {
    List<TableFieldSchema> fields = new ArrayList<>();
    for (Schema.Field field : recordSchema.getFields()) {
      fields.add(field(field));
    }
    return fields;
  }

  private static TableFieldSchema field(Schema.Field field) {
    String name = field.name();
    boolean nullable = isNullable(field.schema());
    Schema schema = nonNull(field.schema(), name);
    String mode;
    if (schema.getType() == Schema.Type.ARRAY) {
      mode = "REPEATED";
      schema = itemSchema(schema, name);
    } else {
      mode = nullable ? "NULLABLE" : "REQUIRED";
    }
    TableFieldSchema column =
        new TableFieldSchema().setName(name).setType(type(name, schema)).setMode(mode);
    if (field.doc() != null && !field.doc().isBlank()) {
      column.setDescription(field.doc());
    }
    if (schema.getType() == Schema.Type.RECORD) {
      column.setFields(fields(schema));
    }
    return column;
  }

  private static String type(String name, Schema schema) {
    LogicalType logical = schema.getLogicalType();
    switch (schema.getType()) {
      case RECORD:
        return "RECORD";
      case STRING:
      case ENUM:
        return "STRING";
      case INT:
        return logical instanceof LogicalTypes.Date ? "DATE" : "INT64";
      case LONG:
        return timestampUnit(schema) != null ? "TIMESTAMP" : "INT64";
      case FLOAT:
      case DOUBLE:
        return "FLOAT64";
      case BOOLEAN:
        return "BOOL";
      case BYTES:
      case FIXED:
        return "BYTES";
      default:
        throw new IllegalArgumentException(
            "field "
                + name
                + ": Avro type "
                + schema.getType()
                + " has no BigQuery column type here");
    }
  }

  /** "millis" or "micros" for a TIMESTAMP long, null for a plain INT64. */
  private static @Nullable String timestampUnit(Schema longSchema) {
    LogicalType logical = longSchema.getLogicalType();
    if (logical instanceof LogicalTypes.TimestampMicros) {
      return "micros";
    }
    if (logical instanceof LogicalTypes.TimestampMillis) {
      return "millis";
    }
    return null;
  }

  private static Object cell(String name, Schema schema, Object value) {
    switch (schema.getType()) {
      case RECORD:
        return toTableRow(schema, (IndexedRecord) value);
      case STRING:
      case ENUM:
        return value.toString();
      case INT:
        if (schema.getLogicalType() instanceof LogicalTypes.Date) {
          return LocalDate.ofEpochDay(((Number) value).longValue()).toString();
        }
        return ((Number) value).longValue();
      case LONG:
        long n = ((Number) value).longValue();
        return "millis".equals(timestampUnit(schema)) ? toMicros(n) : n;
      case FLOAT:
      case DOUBLE:
        return ((Number) value).doubleValue();
      case BOOLEAN:
        return value;
      case BYTES:
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
      case FIXED:
        return Base64.getEncoder().encodeToString(((GenericFixed) value).bytes());
      default:
        throw new IllegalArgumentException(
            "field " + name + ": Avro type " + schema.getType() + " is not supported");
    }
  }

  private static Schema itemSchema(Schema schema, String name) {
    if (schema.getType() != Schema.Type.ARRAY) {
      return schema;
    }
    Schema item = schema.getElementType();
    if (item.getType() == Schema.Type.ARRAY || item.getType() == Schema.Type.UNION) {
      throw new IllegalArgumentException(
          "field " + name + ": arrays of " + item.getType() + " have no BigQuery column type");
    }
    return item;
  }

  private static boolean isNullable(Schema schema) {
    return schema.getType() == Schema.Type.UNION
        && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL);
  }

  /** The one non-null branch of a field's schema; refuses maps and wider unions. */
  private static Schema nonNull(Schema schema, String name) {
    Schema result = schema;
    if (schema.getType() == Schema.Type.UNION) {
      List<Schema> branches = new ArrayList<>();
      for (Schema s : schema.getTypes()) {
        if (s.getType() != Schema.Type.NULL) {
          branches.add(s);
        }
      }
      if (branches.size() != 1) {
        throw new IllegalArgumentException(
            "field " + name + ": only unions of null and one type map to BigQuery, got " + schema);
      }
      result = branches.get(0);
    }
    if (result.getType() == Schema.Type.MAP) {
      throw new IllegalArgumentException(
          "field " + name + ": Avro maps have no BigQuery column type");
    }
    return result;
  }

  private static void requireRecord(Schema schema) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException(
          "a table schema needs an Avro record, got " + schema.getType());
    }
  }
}
