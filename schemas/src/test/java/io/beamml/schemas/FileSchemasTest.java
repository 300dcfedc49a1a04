package io.beamml.schemas;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.Test;

public class FileSchemasTest {

  /** Every field, by record and name, whose schema (or union branch) carries a logical type. */
  private static Map<String, String> logicalTypes(Schema record) {
    Map<String, String> found = new TreeMap<>();
    for (Schema.Field f : record.getFields()) {
      List<Schema> branches =
          f.schema().getType() == Schema.Type.UNION ? f.schema().getTypes() : List.of(f.schema());
      for (Schema s : branches) {
        LogicalType t = s.getLogicalType();
        if (t != null) {
          found.put(record.getName() + "." + f.name(), t.getName());
        }
      }
    }
    return found;
  }

  @SuppressWarnings("unchecked")
  private static List<Class<? extends SpecificRecord>> recordClasses() throws Exception {
    List<Class<? extends SpecificRecord>> classes = new ArrayList<>();
    for (File f : new File("avro").listFiles((d, n) -> n.endsWith(".avsc"))) {
      classes.add(
          (Class<? extends SpecificRecord>)
              Class.forName("io.beamml.schemas." + f.getName().replace(".avsc", "")));
    }
    return classes;
  }

  @Test
  public void fileSchemasDeclareTimesAndDatesWhileTheJavaApiKeepsLongsAndInts() throws Exception {
    Map<String, String> declared = new TreeMap<>();
    for (Class<? extends SpecificRecord> c : recordClasses()) {
      declared.putAll(logicalTypes(FileSchemas.of(c)));
      assertEquals(c.getName(), Map.of(), logicalTypes(SpecificData.get().getSchema(c)));
    }
    assertEquals("timestamp-millis", declared.get("TrainingExample.sent_time"));
    assertEquals("timestamp-millis", declared.get("ClickEvent.event_time"));
    assertEquals("timestamp-millis", declared.get("DeadLetter.event_time"));
    assertEquals("timestamp-millis", declared.get("DriftRecord.window_start"));
    assertEquals("date", declared.get("Profile.signup_date"));
    assertEquals("date", declared.get("CustomerProfile.signup_date"));
    assertEquals(15, declared.size());
    // The getters stayed primitive: no java.time in the generated API.
    assertEquals(long.class, TrainingExample.class.getMethod("getSentTime").getReturnType());
    assertEquals(int.class, Profile.class.getMethod("getSignupDate").getReturnType());
  }
}
