package io.beamml.pipelines.io;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/**
 * {@link JsonText} writes what Jackson's generator writes, as {@link JsonRecords} configured it
 * before it stopped using one: rows already in feature stores and on topics keep their bytes.
 */
public class JsonTextTest {

  private static final JsonFactory JACKSON =
      JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

  private interface Write {
    void to(JsonGenerator g) throws IOException;
  }

  private static String jackson(Write write) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JACKSON.createGenerator(out)) {
      write.to(g);
    }
    return out.toString();
  }

  private static void assertSameString(String text) throws IOException {
    StringBuilder ours = new StringBuilder();
    JsonText.string(ours, text);
    assertEquals(text, jackson(g -> g.writeString(text)), ours.toString());
  }

  private static void assertSameDouble(double d) throws IOException {
    StringBuilder ours = new StringBuilder();
    JsonText.number(ours, d);
    assertEquals(Double.toString(d), jackson(g -> g.writeNumber(d)), ours.toString());
  }

  private static void assertSameFloat(float f) throws IOException {
    StringBuilder ours = new StringBuilder();
    JsonText.number(ours, f);
    assertEquals(Float.toString(f), jackson(g -> g.writeNumber(f)), ours.toString());
  }

  @Test
  public void everyCharacterIsEscapedAsJacksonEscapesIt() throws IOException {
    for (char c = 0; c < Character.MAX_VALUE; c++) {
      assertSameString("a" + c + "b");
    }
    assertSameString("");
    assertSameString("\"\\\u0000\u001f\u007f/é€😀");
  }

  @Test
  public void randomStringsMatchJackson() throws IOException {
    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      char[] chars = new char[random.nextInt(40)];
      for (int j = 0; j < chars.length; j++) {
        // Mostly ASCII, so runs of plain characters sit between escapes, as in real text.
        chars[j] = (char) (random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(0x80));
      }
      assertSameString(new String(chars));
    }
  }

  @Test
  public void doublesHaveJacksonsDigits() throws IOException {
    double[] edges = {
      0.0,
      -0.0,
      1.0,
      -1.0,
      35.0,
      203.15,
      0.1,
      1e-3,
      9.99e-4,
      9_999_999.0,
      1e7,
      -1e7,
      1e16,
      1e22,
      4.5035996273704955e15,
      Double.MIN_VALUE,
      Double.MIN_NORMAL,
      Double.MAX_VALUE,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      2e-323,
      1.0E23
    };
    for (double d : edges) {
      assertSameDouble(d);
    }
    Random random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      assertSameDouble(Double.longBitsToDouble(random.nextLong()));
      assertSameDouble(random.nextInt(20_000_000) - 10_000_000);
      assertSameDouble(Math.round(random.nextDouble() * 1e6) / 100.0);
    }
  }

  @Test
  public void floatsHaveJacksonsDigits() throws IOException {
    float[] edges = {0f, -0f, 1f, 0.1f, 1e7f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN};
    for (float f : edges) {
      assertSameFloat(f);
    }
    Random random = new Random(13);
    for (int i = 0; i < 20_000; i++) {
      assertSameFloat(Float.intBitsToFloat(random.nextInt()));
    }
  }

  @Test
  public void aFeatureRowRendersAsJacksonRenderedIt() throws IOException {
    List<FeatureValue> features = new ArrayList<>();
    features.add(new FeatureValue("views_7d", 35.0, null));
    features.add(new FeatureValue("spend_7d", 203.15, null));
    features.add(new FeatureValue("odd \"name\"", null, "tab\there"));
    features.add(new FeatureValue("age", null, null));
    FeatureRow row = new FeatureRow("E1", "k1", 1_767_225_600_250L, "view", "fp", features);
    String jackson =
        jackson(
            g -> {
              g.writeStartObject();
              g.writeStringField("event_id", "E1");
              g.writeStringField("customer_key", "k1");
              g.writeStringField("event_time", "2026-01-01T00:00:00.250Z");
              g.writeStringField("event_type", "view");
              g.writeStringField("spec_fingerprint", "fp");
              g.writeNumberField("views_7d", 35.0);
              g.writeNumberField("spend_7d", 203.15);
              g.writeStringField("odd \"name\"", "tab\there");
              g.writeNullField("age");
              g.writeEndObject();
            });
    assertEquals(jackson, JsonRecords.render(row));
  }
}
