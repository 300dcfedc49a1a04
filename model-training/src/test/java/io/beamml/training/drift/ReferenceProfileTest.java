package io.beamml.training.drift;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.testing.DriftData;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.features.FeatureVectorizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ReferenceProfileTest {

  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final ReferenceProfile PROFILE = DriftData.reference(5000, 1);

  @Test
  public void coversEveryFeatureOfTheSpecInOrder() {
    List<String> names = new ArrayList<>();
    for (FeatureReference f : PROFILE.features()) {
      names.add(f.name());
      double sum = 0;
      for (double p : f.proportions()) {
        sum += p;
      }
      assertEquals(f.name(), 1.0, sum, 1e-9);
      assertEquals(5000, f.rows());
    }
    assertEquals(FeatureSpec.defaultSpec().featureNames(), names);
    assertEquals(FeatureSpec.defaultSpec().fingerprint(), PROFILE.specFingerprint());
    assertEquals(5000, PROFILE.rows());
  }

  @Test
  public void numericFeaturesGetQuantileBinsAndASample() {
    FeatureReference clicks = PROFILE.feature("clicks_7d");
    assertEquals(FeatureReference.Kind.numeric, clicks.kind());
    // 0..5 uniformly: one cut point per distinct value, plus the bin above and the missing bin.
    assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, clicks.edgesOrNull(), 0);
    assertEquals(
        List.of("<= 0", "(0, 1]", "(1, 2]", "(2, 3]", "(3, 4]", "(4, 5]", "> 5", "missing"),
        clicks.binLabels());
    assertEquals(0.0, clicks.proportions()[6], 0);
    assertEquals(0.0, clicks.missingRate(), 0);
    double[] sample = clicks.sample();
    assertEquals(ReferenceProfile.DEFAULT_SAMPLE_SIZE, sample.length);
    for (int i = 1; i < sample.length; i++) {
      assertTrue(sample[i - 1] <= sample[i]);
    }

    FeatureReference tenure = PROFILE.feature("tenure_days");
    assertEquals(9, tenure.edgesOrNull().length);
    for (int b = 0; b < 10; b++) {
      assertEquals("decile " + b, 0.1, tenure.proportions()[b], 0.01);
    }

    FeatureReference age = PROFILE.feature("age");
    assertEquals(0.1, age.missingRate(), 0.015);
    assertEquals(ReferenceProfile.DEFAULT_SAMPLE_SIZE, age.sample().length);
  }

  @Test
  public void categoricalFeaturesGetOneBinPerCategoryAndNoSample() {
    FeatureReference country = PROFILE.feature("country");
    assertEquals(FeatureReference.Kind.categorical, country.kind());
    assertEquals(11, country.bins());
    assertNull(country.edgesOrNull());
    assertNull(country.sampleOrNull());
    assertEquals("CA", country.binLabels().get(9));
    assertEquals(9, country.bin(9f));
    assertEquals(10, country.bin(Float.NaN));
    assertEquals(10, country.bin(10f));
  }

  @Test
  public void binsFollowTheEdges() {
    FeatureReference f =
        new FeatureReference(
            "x",
            FeatureReference.Kind.numeric,
            new double[] {1, 2.5},
            null,
            new double[] {0.2, 0.3, 0.4, 0.1},
            10,
            null);
    assertEquals(0, f.bin(-3f));
    assertEquals(0, f.bin(1f));
    assertEquals(1, f.bin(1.5f));
    assertEquals(1, f.bin(2.5f));
    assertEquals(2, f.bin(7f));
    assertEquals(3, f.bin(Float.NaN));
  }

  @Test
  public void theSameRowsInAnotherOrderGiveTheSameProfile() {
    int n = 3000;
    FeatureVectorizer vectorizer = new FeatureVectorizer(DriftData.SPEC);
    int width = vectorizer.width();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    var rows = DriftData.rows(n, 7, "r", DriftData.START, 1000, 0);
    String first = null;
    for (long seed : new long[] {1, 2}) {
      Collections.shuffle(order, new Random(seed));
      float[] matrix = new float[n * width];
      String[] keys = new String[n];
      for (int i = 0; i < n; i++) {
        vectorizer.fill(rows.get(order.get(i)).getFeatures(), matrix, i * width);
        keys[i] = rows.get(order.get(i)).getEventId();
      }
      String json =
          new String(
              ReferenceProfile.fromRows(DriftData.SPEC, matrix, n, keys, 10, 500).toJson(),
              StandardCharsets.UTF_8);
      if (first == null) {
        first = json;
      } else {
        assertEquals(first, json);
      }
    }
  }

  @Test
  public void roundTripsThroughJson() {
    byte[] json = PROFILE.toJson();
    ReferenceProfile back = ReferenceProfile.fromJson(json);
    assertArrayEquals(json, back.toJson());
    assertEquals(PROFILE.feature("spend_7d").binLabels(), back.feature("spend_7d").binLabels());
    assertThat(
        new String(json, StandardCharsets.UTF_8), containsString("\"kind\" : \"categorical\""));
  }

  @Test
  public void loadsFromTheRegistryAndSaysWhenAVersionHasNone() throws Exception {
    ModelRegistry registry = ModelRegistry.at(TMP.newFolder("registry").toString());
    ModelMetadata template = new ModelMetadata();
    template.specFingerprint = PROFILE.specFingerprint();
    registry.register(
        "promo",
        "{}".getBytes(StandardCharsets.UTF_8),
        "json",
        template,
        Map.of(ReferenceProfile.FILE, PROFILE.toJson()));
    assertArrayEquals(PROFILE.toJson(), ReferenceProfile.load(registry, "promo", "1").toJson());

    registry.register(
        "promo", "{}".getBytes(StandardCharsets.UTF_8), "json", new ModelMetadata(), Map.of());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ReferenceProfile.load(registry, "promo", "2"));
    assertThat(e.getMessage(), containsString("promo:2"));
    assertThat(e.getMessage(), containsString("has no reference.json"));
  }

  @Test
  public void refusesAProfileThatDoesNotMatchItsSpec() {
    String json =
        new String(PROFILE.toJson(), StandardCharsets.UTF_8)
            .replace(PROFILE.specFingerprint(), "0000");
    assertThrows(
        IllegalArgumentException.class,
        () -> ReferenceProfile.fromJson(json.getBytes(StandardCharsets.UTF_8)));
  }
}
