package io.beamml.testdata;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Defaults, validation, and what the rates switch on and off. */
public class GeneratorConfigTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void hasTheDocumentedDefaults() {
    GeneratorConfig c = GeneratorConfig.of(10, 2, 3L);
    assertEquals(LocalDate.of(2026, 1, 1), c.startDate());
    assertEquals(0.01, c.badRowRate(), 0.0);
    assertEquals(0.01, c.duplicateRate(), 0.0);
    assertTrue(c.includeOversizedLines());
    assertEquals(1767225600000L, c.startEpochMs());
    assertEquals(1767225600000L + 2 * 86_400_000L, c.endEpochMs());
    assertEquals(c, GeneratorConfig.of(10, 2, 3L));
    assertNotEquals(c, c.withSeed(4L));
    assertEquals(11, c.withCustomers(11).customers());
    assertEquals(10, c.customers());
  }

  @Test
  public void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.of(0, 1, 1L));
    assertThrows(IllegalArgumentException.class, () -> GeneratorConfig.of(1, 0, 1L));
    assertThrows(
        IllegalArgumentException.class, () -> GeneratorConfig.of(1, 1, 1L).withBadRowRate(-0.1));
    assertThrows(
        IllegalArgumentException.class,
        () -> GeneratorConfig.of(1, 1, 1L).withDuplicateRate(Double.NaN));
    assertThrows(
        NullPointerException.class, () -> GeneratorConfig.of(1, 1, 1L).withStartDate(null));
  }

  @Test
  public void zeroRatesWriteCleanData() throws IOException {
    Path out = tmp.newFolder("clean").toPath();
    GenerationManifest m =
        DataGenerator.generate(
            GeneratorConfig.of(50, 3, 2L).withBadRowRate(0).withDuplicateRate(0), out);
    for (SourceCounts c : m.sources().values()) {
      assertEquals(c.source(), 0, c.badTotal());
      assertEquals(c.source(), 0, c.duplicates());
      assertEquals(c.source(), c.validUnique(), c.lines());
    }
  }

  @Test
  public void oversizedLinesCanBeLeftOut() throws IOException {
    Path out = tmp.newFolder("small").toPath();
    GenerationManifest m =
        DataGenerator.generate(GeneratorConfig.of(50, 3, 2L).withIncludeOversizedLines(false), out);
    assertEquals(0, m.clicks().bad(BadReason.LINE_TOO_LONG));
    assertEquals(0, m.sales().bad(BadReason.LINE_TOO_LONG));
    assertTrue(m.clicks().bad(BadReason.MALFORMED_JSON) > 0);
  }

  @Test
  public void badRowsFollowTheRateOnLargerInputs() throws IOException {
    Path out = tmp.newFolder("rate").toPath();
    GenerationManifest m =
        DataGenerator.generate(
            GeneratorConfig.of(300, 7, 2L).withBadRowRate(0.05).withIncludeOversizedLines(false),
            out);
    SourceCounts clicks = m.clicks();
    assertEquals(Math.round(0.05 * clicks.validUnique()), clicks.badTotal());
    assertEquals(Math.round(0.01 * clicks.validUnique()), clicks.duplicates());
  }
}
