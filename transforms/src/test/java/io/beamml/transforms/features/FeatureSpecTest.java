package io.beamml.transforms.features;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;

import io.beamml.schemas.FeatureValue;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

@RunWith(JUnit4.class)
public class FeatureSpecTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final String COMPACT =
      "{\"name\":\"s\",\"version\":2,\"features\":["
          + "{\"name\":\"orders_7d\",\"kind\":\"event\",\"event_types\":[\"order\"],"
          + "\"aggregation\":\"count\",\"window\":\"P7D\"},"
          + "{\"name\":\"country\",\"kind\":\"profile\",\"field\":\"country\","
          + "\"categories\":[\"DE\",\"FR\"]}]}";

  /** The same spec, pretty-printed with its keys in another order. */
  private static final String REFORMATTED =
      "{\n"
          + "  \"version\" : 2,\n"
          + "  \"features\" : [\n"
          + "    { \"window\" : \"P7D\",   \"aggregation\" : \"count\",\n"
          + "      \"event_types\" : [ \"order\" ], \"kind\" : \"event\", \"name\" : \"orders_7d\" },\n"
          + "    {\t\"categories\": [\"DE\", \"FR\"], \"field\": \"country\",\n"
          + "\t\"kind\": \"profile\", \"name\": \"country\" }\n"
          + "  ],\n"
          + "  \"name\" : \"s\"\n"
          + "}\n";

  @Test
  public void defaultSpecHasTheContractFeaturesInOrder() {
    FeatureSpec spec = FeatureSpec.defaultSpec();
    assertEquals(
        List.of(
            "views_7d",
            "clicks_7d",
            "carts_7d",
            "orders_7d",
            "spend_7d",
            "orders_1d",
            "clicks_1d",
            "age",
            "gender",
            "country",
            "tenure_days"),
        spec.featureNames());
    assertEquals(16, spec.fingerprint().length());
    assertEquals(spec.fingerprint(), FeatureSpec.loadOrDefault(null).fingerprint());
  }

  @Test
  public void fingerprintIgnoresFormattingAndKeyOrder() throws IOException {
    FeatureSpec compact = FeatureSpec.fromJson(COMPACT);
    FeatureSpec pretty = FeatureSpec.fromJson(REFORMATTED);
    assertEquals(compact.fingerprint(), pretty.fingerprint());
    assertEquals(compact.toCanonicalJson(), pretty.toCanonicalJson());
    assertEquals(compact, pretty);

    File file = tmp.newFile("spec.json");
    Files.writeString(file.toPath(), REFORMATTED, StandardCharsets.UTF_8);
    assertEquals(compact.fingerprint(), FeatureSpec.load(file.getPath()).fingerprint());
    // The canonical form reads back to the same spec.
    assertEquals(
        compact.fingerprint(), FeatureSpec.fromJson(compact.toCanonicalJson()).fingerprint());
  }

  @Test
  public void fingerprintChangesWithTheDefinitions() {
    String base = FeatureSpec.fromJson(COMPACT).fingerprint();
    assertNotEquals(base, FeatureSpec.fromJson(COMPACT.replace("P7D", "P8D")).fingerprint());
    assertNotEquals(
        base, FeatureSpec.fromJson(COMPACT.replace("\"order\"", "\"click\"")).fingerprint());
    assertNotEquals(
        base, FeatureSpec.fromJson(COMPACT.replace("\"FR\"", "\"FR\",\"GB\"")).fingerprint());
    assertNotEquals(
        base,
        FeatureSpec.fromJson(COMPACT.replace("\"version\":2", "\"version\":3")).fingerprint());
  }

  @Test
  public void badSpecFilesGiveClearMessages() throws IOException {
    assertLoadFails(COMPACT.replace("\"P7D\"", "\"7 days\""), "orders_7d", "7 days", "ISO-8601");
    assertLoadFails(COMPACT.replace("\"window\"", "\"windw\""), "windw");
    assertLoadFails(COMPACT.replace(",\"window\":\"P7D\"", ""), "orders_7d", "needs a window");
    assertLoadFails(COMPACT.replace("\"count\"", "\"median\""), "median");
    assertLoadFails(COMPACT.replace("\"order\"]", "\"purchase\"]"), "orders_7d", "purchase");
    assertLoadFails(COMPACT.replace("\"count\"", "\"sum\""), "orders_7d", "needs a field");
    assertLoadFails(COMPACT.replace("\"P7D\"", "\"PT0S\""), "orders_7d", "at least 1 ms");
    assertLoadFails(
        COMPACT.replace("\"field\":\"country\"", "\"field\":\"age\""), "country", "categories");
    assertLoadFails(COMPACT.replace("\"FR\"", "\"DE\""), "country", "twice");
    assertLoadFails(
        COMPACT.replace("\"name\":\"country\"", "\"name\":\"orders_7d\""), "orders_7d", "twice");
    assertLoadFails(
        COMPACT.replace("\"name\":\"country\"", "\"name\":\"event_time\""),
        "event_time",
        "is a column of the rows");
    assertLoadFails("{\"name\":\"s\",\"version\":1,\"features\":[]}", "defines no features");
    assertLoadFails("{\"name\":\"s\",\"version\":1}", "features");
    assertLoadFails("{\"name\":\"s\",\"version\":1,\"features\":[", "spec.json");

    String missing = new File(tmp.getRoot(), "nope.json").getPath();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FeatureSpec.load(missing));
    assertThat(e.getMessage(), containsString(missing));
  }

  private void assertLoadFails(String json, String... fragments) throws IOException {
    File file = new File(tmp.getRoot(), "spec.json");
    Files.writeString(file.toPath(), json, StandardCharsets.UTF_8);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FeatureSpec.load(file.getPath()));
    assertThat(e.getMessage(), containsString(file.getPath()));
    for (String fragment : fragments) {
      assertThat(e.getMessage(), containsString(fragment));
    }
  }

  @Test
  public void vectorizerEncodesCategoriesAndMissingValuesAsNaN() {
    FeatureVectorizer vectorizer = new FeatureVectorizer(FeatureSpec.defaultSpec());
    assertEquals(11, vectorizer.width());
    List<FeatureValue> values = new ArrayList<>();
    for (String name : List.of("views_7d", "clicks_7d", "carts_7d", "orders_7d")) {
      values.add(new FeatureValue(name, 2.0, null));
    }
    values.add(new FeatureValue("spend_7d", 12.5, null));
    values.add(new FeatureValue("orders_1d", null, null)); // missing number
    values.add(new FeatureValue("clicks_1d", 0.0, null));
    values.add(new FeatureValue("age", 41.0, null));
    values.add(new FeatureValue("gender", null, "X")); // third category
    values.add(new FeatureValue("country", null, "BR")); // not in the vocabulary
    values.add(new FeatureValue("tenure_days", -3.0, null));
    assertArrayEquals(
        new float[] {2, 2, 2, 2, 12.5f, Float.NaN, 0, 41, 2, Float.NaN, -3},
        vectorizer.toVector(values),
        0f);

    values.set(8, new FeatureValue("gender", null, null)); // missing category
    values.set(9, new FeatureValue("country", null, "DE")); // first category
    float[] dest = new float[13];
    vectorizer.fill(values, dest, 2);
    assertEquals(Float.NaN, dest[2 + 8], 0f);
    assertEquals(0f, dest[2 + 9], 0f);
    assertEquals(0f, dest[0], 0f);
  }

  @Test
  public void vectorizerRejectsMisplacedValuesAndUnencodableSpecs() {
    FeatureSpec spec = FeatureSpec.fromJson(COMPACT);
    FeatureVectorizer vectorizer = new FeatureVectorizer(spec);
    IllegalArgumentException swapped =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                vectorizer.toVector(
                    List.of(
                        new FeatureValue("country", null, "DE"),
                        new FeatureValue("orders_7d", 1.0, null))));
    assertThat(swapped.getMessage(), allOf(containsString("orders_7d"), containsString("country")));
    assertThrows(
        IllegalArgumentException.class,
        () -> vectorizer.toVector(List.of(new FeatureValue("orders_7d", 1.0, null))));

    FeatureSpec noVocabulary =
        FeatureSpec.fromJson(COMPACT.replace(",\"categories\":[\"DE\",\"FR\"]", ""));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new FeatureVectorizer(noVocabulary));
    assertThat(e.getMessage(), containsString("country"));
  }
}
