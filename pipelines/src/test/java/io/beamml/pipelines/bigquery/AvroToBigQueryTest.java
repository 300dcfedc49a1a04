package io.beamml.pipelines.bigquery;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.api.services.bigquery.model.TableFieldSchema;
import com.google.api.services.bigquery.model.TableRow;
import com.google.api.services.bigquery.model.TableSchema;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.Contribution;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import io.beamml.schemas.FileSchemas;
import io.beamml.schemas.Prediction;
import io.beamml.schemas.TrainingExample;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.Test;

/** The Avro to BigQuery rules, one by one, on the contract's records and on hand-made schemas. */
public class AvroToBigQueryTest {

  /** name:TYPE:MODE of every column, nested columns as parent.child. */
  private static List<String> columns(TableSchema schema) {
    List<String> out = new ArrayList<>();
    collect("", schema.getFields(), out);
    return out;
  }

  private static void collect(String prefix, List<TableFieldSchema> fields, List<String> out) {
    for (TableFieldSchema f : fields) {
      out.add(prefix + f.getName() + ":" + f.getType() + ":" + f.getMode());
      if (f.getFields() != null) {
        collect(prefix + f.getName() + ".", f.getFields(), out);
      }
    }
  }

  @Test
  public void featureRowSchemaNestsTheFeaturesAsRepeatedRecords() {
    assertEquals(
        List.of(
            "event_id:STRING:REQUIRED",
            "customer_key:STRING:REQUIRED",
            "event_time:TIMESTAMP:REQUIRED",
            "event_type:STRING:REQUIRED",
            "spec_fingerprint:STRING:REQUIRED",
            "features:RECORD:REPEATED",
            "features.name:STRING:REQUIRED",
            "features.number:FLOAT64:NULLABLE",
            "features.text:STRING:NULLABLE"),
        columns(AvroToBigQuery.tableSchema(FeatureRow.class)));
    TableFieldSchema eventTime = AvroToBigQuery.tableSchema(FeatureRow.class).getFields().get(2);
    assertEquals("The as-of time, epoch milliseconds UTC.", eventTime.getDescription());
  }

  @Test
  public void predictionDeadLetterAndAuditSchemas() {
    assertEquals(
        List.of(
            "event_id:STRING:REQUIRED",
            "customer_key:STRING:REQUIRED",
            "event_time:TIMESTAMP:REQUIRED",
            "score:FLOAT64:REQUIRED",
            "model_name:STRING:REQUIRED",
            "model_version:STRING:REQUIRED",
            "variant:STRING:REQUIRED",
            "spec_fingerprint:STRING:REQUIRED",
            "contributions:RECORD:REPEATED",
            "contributions.feature:STRING:REQUIRED",
            "contributions.value:FLOAT64:REQUIRED"),
        columns(AvroToBigQuery.tableSchema(Prediction.class)));
    assertEquals(
        List.of(
            "source:STRING:REQUIRED",
            "step:STRING:REQUIRED",
            "reason:STRING:REQUIRED",
            "message:STRING:REQUIRED",
            "raw:STRING:REQUIRED",
            "raw_base64:STRING:NULLABLE",
            "raw_truncated:BOOL:REQUIRED",
            "event_time:TIMESTAMP:NULLABLE"),
        columns(AvroToBigQuery.tableSchema(DeadLetter.class)));
    assertEquals(
        List.of(
            "event_id:STRING:REQUIRED",
            "customer_key:STRING:REQUIRED",
            "model_name:STRING:REQUIRED",
            "model_version:STRING:REQUIRED",
            "variant:STRING:REQUIRED",
            "spec_fingerprint:STRING:REQUIRED",
            "score:FLOAT64:REQUIRED",
            "event_time:TIMESTAMP:REQUIRED",
            "scoring_time:TIMESTAMP:REQUIRED",
            "run_id:STRING:REQUIRED",
            "contributions:RECORD:REPEATED",
            "contributions.feature:STRING:REQUIRED",
            "contributions.value:FLOAT64:REQUIRED",
            "promo_id:STRING:NULLABLE"),
        columns(AvroToBigQuery.tableSchema(AuditRecord.class)));
  }

  @Test
  public void trainingExampleSchemaHasASendTimestampAndNestedFeatures() {
    assertEquals(
        List.of(
            "promo_id:STRING:REQUIRED",
            "customer_key:STRING:REQUIRED",
            "sent_time:TIMESTAMP:REQUIRED",
            "label:INT64:REQUIRED",
            "split:STRING:REQUIRED",
            "spec_fingerprint:STRING:REQUIRED",
            "features:RECORD:REPEATED",
            "features.name:STRING:REQUIRED",
            "features.number:FLOAT64:NULLABLE",
            "features.text:STRING:NULLABLE"),
        columns(AvroToBigQuery.tableSchema(TrainingExample.class)));
    TrainingExample example =
        TrainingExample.newBuilder()
            .setPromoId("p1")
            .setCustomerKey("k1")
            .setSentTime(1_767_225_600_250L)
            .setLabel(1)
            .setSplit("train")
            .setSpecFingerprint("fp")
            .setFeatures(
                List.of(
                    FeatureValue.newBuilder()
                        .setName("clicks_7d")
                        .setNumber(2.0)
                        .setText(null)
                        .build(),
                    FeatureValue.newBuilder()
                        .setName("country")
                        .setNumber(null)
                        .setText("DE")
                        .build()))
            .build();
    TableRow row = AvroToBigQuery.trainingExample(example);
    assertEquals(1_767_225_600_250_000L, row.get("sent_time"));
    assertEquals(1L, row.get("label"));
    assertEquals("train", row.get("split"));
    assertEquals(
        List.of(
            new TableRow().set("name", "clicks_7d").set("number", 2.0),
            new TableRow().set("name", "country").set("text", "DE")),
        row.get("features"));
  }

  @Test
  public void featureRowBecomesARowWithMicrosecondTimesAndNestedFeatures() {
    FeatureRow row =
        FeatureRow.newBuilder()
            .setEventId("e1")
            .setCustomerKey("k1")
            .setEventTime(1_700_000_000_123L)
            .setEventType("click")
            .setSpecFingerprint("fp")
            .setFeatures(
                List.of(
                    FeatureValue.newBuilder()
                        .setName("clicks_7d")
                        .setNumber(3.0)
                        .setText(null)
                        .build(),
                    FeatureValue.newBuilder()
                        .setName("channel")
                        .setNumber(null)
                        .setText("web")
                        .build(),
                    FeatureValue.newBuilder().setName("age").setNumber(null).setText(null).build()))
            .build();
    TableRow tableRow = AvroToBigQuery.featureRow(row);
    assertEquals("e1", tableRow.get("event_id"));
    assertEquals(1_700_000_000_123_000L, tableRow.get("event_time"));
    @SuppressWarnings("unchecked")
    List<TableRow> features = (List<TableRow>) tableRow.get("features");
    assertEquals(3, features.size());
    assertEquals(Map.of("name", "clicks_7d", "number", 3.0), Map.copyOf(features.get(0)));
    assertEquals(Map.of("name", "channel", "text", "web"), Map.copyOf(features.get(1)));
    assertEquals(Map.of("name", "age"), Map.copyOf(features.get(2)));
  }

  @Test
  public void nullsAreLeftOutAndANullArrayIsEmpty() {
    DeadLetter noTime =
        DeadLetter.newBuilder()
            .setSource("clicks")
            .setStep("parse")
            .setReason("malformed_json")
            .setMessage("m")
            .setRaw("{")
            .setRawTruncated(false)
            .setEventTime(null)
            .build();
    TableRow row = AvroToBigQuery.deadLetter(noTime);
    assertFalse(row.containsKey("event_time"));
    assertEquals(false, row.get("raw_truncated"));

    Prediction p = prediction(null);
    assertEquals(List.of(), AvroToBigQuery.prediction(p).get("contributions"));
    TableRow withContributions =
        AvroToBigQuery.prediction(
            prediction(
                List.of(Contribution.newBuilder().setFeature("clicks_7d").setValue(0.5).build())));
    assertEquals(
        List.of(new TableRow().set("feature", "clicks_7d").set("value", 0.5)),
        withContributions.get("contributions"));
  }

  @Test
  public void auditRecordTimesAreBothMicroseconds() {
    AuditRecord audit =
        AuditRecord.newBuilder()
            .setEventId("e")
            .setCustomerKey("k")
            .setModelName("promo")
            .setModelVersion("3")
            .setVariant("champion")
            .setSpecFingerprint("fp")
            .setScore(0.25)
            .setEventTime(1_000L)
            .setScoringTime(2_000L)
            .setRunId("run-1")
            .setContributions(null)
            .build();
    TableRow row = AvroToBigQuery.auditRecord(audit);
    assertEquals(1_000_000L, row.get("event_time"));
    assertEquals(2_000_000L, row.get("scoring_time"));
    assertEquals("run-1", row.get("run_id"));
  }

  @Test
  public void logicalTypesPlainLongsAndBytes() {
    Schema micros = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    Schema millis = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    Schema date = LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
    Schema schema =
        SchemaBuilder.record("R")
            .fields()
            .name("created")
            .type(millis)
            .noDefault()
            .name("seen")
            .type(micros)
            .noDefault()
            .name("day")
            .type(date)
            .noDefault()
            .name("count")
            .type()
            .longType()
            .noDefault()
            .name("small")
            .type()
            .intType()
            .noDefault()
            .name("ratio")
            .type()
            .floatType()
            .noDefault()
            .name("blob")
            .type()
            .bytesType()
            .noDefault()
            .name("kind")
            .type()
            .enumeration("Kind")
            .symbols("a", "b")
            .noDefault()
            .name("tags")
            .type()
            .nullable()
            .array()
            .items()
            .stringType()
            .noDefault()
            .endRecord();
    assertEquals(
        List.of(
            "created:TIMESTAMP:REQUIRED",
            "seen:TIMESTAMP:REQUIRED",
            "day:DATE:REQUIRED",
            "count:INT64:REQUIRED",
            "small:INT64:REQUIRED",
            "ratio:FLOAT64:REQUIRED",
            "blob:BYTES:REQUIRED",
            "kind:STRING:REQUIRED",
            "tags:STRING:REPEATED"),
        columns(AvroToBigQuery.tableSchema(schema)));

    GenericRecord record = new GenericData.Record(schema);
    record.put("created", 5L);
    record.put("seen", 5L);
    record.put("day", 19_000);
    record.put("count", 7L);
    record.put("small", 2);
    record.put("ratio", 0.5f);
    record.put("blob", ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8)));
    record.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), "b"));
    record.put("tags", List.of("x", "y"));
    TableRow row = AvroToBigQuery.toTableRow(record);
    assertEquals(5_000L, row.get("created"));
    assertEquals(5L, row.get("seen"));
    assertEquals("2022-01-08", row.get("day"));
    assertEquals(7L, row.get("count"));
    assertEquals(2L, row.get("small"));
    assertEquals(0.5, row.get("ratio"));
    assertEquals("aGk=", row.get("blob"));
    assertEquals("b", row.get("kind"));
    assertEquals(List.of("x", "y"), row.get("tags"));
  }

  @Test
  public void aLongIsATimestampByItsLogicalTypeNotItsName() {
    Schema schema =
        SchemaBuilder.record("R")
            .fields()
            .name("sent_time")
            .type()
            .longType()
            .noDefault()
            .name("sent_at")
            .type(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)))
            .noDefault()
            .name("wait_time")
            .type()
            .doubleType()
            .noDefault()
            .endRecord();
    assertEquals(
        List.of(
            "sent_time:INT64:REQUIRED", "sent_at:TIMESTAMP:REQUIRED", "wait_time:FLOAT64:REQUIRED"),
        columns(AvroToBigQuery.tableSchema(schema)));
  }

  @Test
  public void refusesWhatHasNoColumnType() {
    Schema map =
        SchemaBuilder.record("M")
            .fields()
            .name("m")
            .type()
            .map()
            .values()
            .stringType()
            .noDefault()
            .endRecord();
    Schema wideUnion =
        SchemaBuilder.record("U")
            .fields()
            .name("u")
            .type()
            .unionOf()
            .nullType()
            .and()
            .stringType()
            .and()
            .longType()
            .endUnion()
            .noDefault()
            .endRecord();
    Schema nested =
        SchemaBuilder.record("N")
            .fields()
            .name("n")
            .type()
            .array()
            .items()
            .array()
            .items()
            .longType()
            .noDefault()
            .endRecord();
    Schema notARecord = Schema.create(Schema.Type.STRING);
    for (Schema s : List.of(map, wideUnion, nested, notARecord)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> AvroToBigQuery.tableSchema(s));
      assertTrue(
          e.getMessage(),
          e.getMessage()
              .contains(
                  s.getType() == Schema.Type.RECORD ? s.getFields().get(0).name() : "record"));
    }
  }

  @Test
  public void millisecondsToMicrosecondsIsExactOrFails() {
    assertEquals(-1_000L, AvroToBigQuery.toMicros(-1L));
    assertThrows(ArithmeticException.class, () -> AvroToBigQuery.toMicros(Long.MAX_VALUE / 10));
  }

  @Test
  public void bigQueryTypeNamesTheItemTypeOfArrays() {
    Map<String, String> types =
        FileSchemas.of(FeatureRow.class).getFields().stream()
            .collect(Collectors.toMap(Schema.Field::name, AvroToBigQuery::bigQueryType));
    assertEquals("RECORD", types.get("features"));
    assertEquals("TIMESTAMP", types.get("event_time"));
  }

  static Prediction prediction(List<Contribution> contributions) {
    return Prediction.newBuilder()
        .setEventId("e")
        .setCustomerKey("k")
        .setEventTime(86_400_000L)
        .setScore(0.75)
        .setModelName("promo")
        .setModelVersion("1")
        .setVariant("champion")
        .setSpecFingerprint("fp")
        .setContributions(contributions)
        .build();
  }
}
