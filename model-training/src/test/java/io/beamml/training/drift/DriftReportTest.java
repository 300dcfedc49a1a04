package io.beamml.training.drift;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import io.beamml.schemas.FeatureRow;
import io.beamml.training.testing.DriftData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.Test;

public class DriftReportTest {

  private static final ReferenceProfile REFERENCE = DriftData.reference(3000, 1);

  private static WindowDrift compare(int clicksShift) {
    AccumulateProfile fn = new AccumulateProfile(REFERENCE, ReferenceProfile.DEFAULT_SAMPLE_SIZE);
    CurrentProfile profile = fn.createAccumulator();
    for (FeatureRow row : DriftData.rows(1500, 9, "cur", DriftData.START, 1000, clicksShift)) {
      fn.addInput(profile, row);
    }
    return WindowDrift.measure(
        REFERENCE, profile, DriftThresholds.defaults(), "promo", "2", null, null);
  }

  @Test
  public void theReportShowsOnePictureOfEachFeatureAndHighlightsTheDriftedOne() throws Exception {
    WindowDrift drift = compare(1);
    Map<String, byte[]> files = DriftReport.of(drift).withSource("features/*.avro").render();
    String html = new String(files.get(DriftReport.HTML), StandardCharsets.UTF_8);

    List<String> pictures = new ArrayList<>();
    Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    while (m.find()) {
      pictures.add(m.group(1));
    }
    List<String> expected = new ArrayList<>();
    for (String feature : DriftData.SPEC.featureNames()) {
      expected.add(DriftReport.pictureName(feature));
    }
    assertEquals(expected, pictures);
    assertEquals(expected.size() + 1, files.size());
    for (String png : expected) {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(files.get(png)));
      assertNotNull(png + " is not a readable image", image);
      assertEquals(DriftChart.WIDTH, image.getWidth());
      assertEquals(DriftChart.HEIGHT, image.getHeight());
    }

    assertEquals(1, count(html, "<tr class=\"drifted\">"));
    assertThat(
        html, containsString("<tr class=\"drifted\"><td><a href=\"#clicks_7d\">clicks_7d</a>"));
    assertThat(html, containsString("Drifted: <strong>clicks_7d</strong>"));
    assertThat(html, containsString("promo:2"));
    assertThat(html, containsString("features/*.avro"));
    assertThat(html, containsString("the whole run"));
  }

  @Test
  public void anUnshiftedRunReportsNoDrift() {
    String html =
        new String(
            DriftReport.of(compare(0)).render().get(DriftReport.HTML), StandardCharsets.UTF_8);
    assertThat(html, containsString("No feature drifted."));
    assertThat(html, not(containsString("<tr class=\"drifted\">")));
  }

  @Test
  public void aComparisonRoundTripsThroughJson() {
    WindowDrift drift = compare(1);
    String json = drift.toJson();
    WindowDrift back = WindowDrift.fromJson(json);
    assertEquals(json, back.toJson());
    assertEquals(drift.records(true), back.records(true));
    assertEquals(List.of("clicks_7d"), back.driftedFeatures());
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
