package io.beamml.training.interop;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.Test;

public class ModelExportTest {

  private static byte[] model(String baseScore) {
    return ("{\"learner\":{\"learner_model_param\":{\"base_score\":\""
            + baseScore
            + "\",\"num_feature\":\"2\"}},\"version\":[3,4,0]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  public void aOneElementVectorBecomesItsScalarAndAScalarStays() throws Exception {
    assertThat(
        new String(ModelExport.scalarBaseScore(model("[1.395E-1]")), StandardCharsets.UTF_8),
        containsString("\"base_score\":\"1.395E-1\""));
    assertThat(
        new String(ModelExport.scalarBaseScore(model("5E-1")), StandardCharsets.UTF_8),
        containsString("\"base_score\":\"5E-1\""));
  }

  @Test
  public void oneInterceptPerTargetHasNoOlderFormAndIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelExport.scalarBaseScore(model("[1E-1,2E-1]")));
    assertThat(e.getMessage(), containsString("one intercept per target"));
  }

  @Test
  public void writerVersionsAndWhichReadersReadThem() {
    assertEquals("3.4.0", XgboostModelFile.writerVersion(model("[5E-1]"), "json"));
    assertEquals(
        null, XgboostModelFile.writerVersion("not json".getBytes(StandardCharsets.UTF_8), "json"));
    assertTrue(XgboostModelFile.readableByOlderReaders("1.7.4"));
    assertTrue(XgboostModelFile.readableByOlderReaders("3.0.5"));
    assertFalse(XgboostModelFile.readableByOlderReaders("3.1.0"));
    assertFalse(XgboostModelFile.readableByOlderReaders(null));
  }
}
