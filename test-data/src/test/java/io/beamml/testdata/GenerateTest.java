package io.beamml.testdata;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The command line parses both option forms and writes what the API writes. */
public class GenerateTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void bothOptionFormsWriteTheSameDataAsTheApi() throws IOException {
    Path eq = tmp.newFolder("eq").toPath();
    Path space = tmp.newFolder("space").toPath();
    Path api = tmp.newFolder("api").toPath();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    GenerationManifest fromCli =
        Generate.run(
            new String[] {"--out=" + eq, "--customers=40", "--days=3", "--seed=9"},
            new PrintStream(printed, true, StandardCharsets.UTF_8));
    Generate.run(
        new String[] {"--out", space.toString(), "--customers", "40", "--days", "3", "--seed", "9"},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    DataGenerator.generate(GeneratorConfig.of(40, 3, 9L), api);

    assertEquals(GeneratorConfig.of(40, 3, 9L), fromCli.config());
    byte[] expected = Files.readAllBytes(api.resolve(DataGenerator.MANIFEST_FILE));
    assertArrayEquals(expected, Files.readAllBytes(eq.resolve(DataGenerator.MANIFEST_FILE)));
    assertArrayEquals(expected, Files.readAllBytes(space.resolve(DataGenerator.MANIFEST_FILE)));
    assertArrayEquals(
        Files.readAllBytes(api.resolve(DataGenerator.RESPONSES_FILE)),
        Files.readAllBytes(space.resolve(DataGenerator.RESPONSES_FILE)));
    String summary = printed.toString(StandardCharsets.UTF_8);
    assertTrue(summary, summary.startsWith("Generated 40 customers over 3 days"));
    assertTrue(summary, summary.contains("clicks: "));
  }

  @Test
  public void optionalSettingsReachTheConfig() {
    Generate.Arguments a =
        Generate.Arguments.parse(
            new String[] {
              "--out=x",
              "--start-date",
              "2025-06-01",
              "--bad-row-rate=0",
              "--duplicate-rate=0.05",
              "--oversized-lines=false"
            });
    assertEquals(LocalDate.of(2025, 6, 1), a.config.startDate());
    assertEquals(0.0, a.config.badRowRate(), 0.0);
    assertEquals(0.05, a.config.duplicateRate(), 0.0);
    assertFalse(a.config.includeOversizedLines());
    assertEquals(Generate.DEFAULT_CUSTOMERS, a.config.customers());
    assertEquals(Generate.DEFAULT_DAYS, a.config.days());
    assertEquals(Generate.DEFAULT_SEED, a.config.seed());
  }

  @Test
  public void rejectsBadCommandLines() {
    assertThrows(IllegalArgumentException.class, () -> parse("--customers=3"));
    assertThrows(IllegalArgumentException.class, () -> parse("--out=x", "--colour=red"));
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> parse("--colour", "--out=x"));
    assertEquals("unknown option --colour", unknown.getMessage());
    assertThrows(IllegalArgumentException.class, () -> parse("--out=x", "--days=many"));
    assertThrows(IllegalArgumentException.class, () -> parse("--out=x", "--days"));
    assertThrows(IllegalArgumentException.class, () -> parse("--out=x", "--customers=0"));
    assertThrows(IllegalArgumentException.class, () -> parse("--out=x", "--oversized-lines=yes"));
    assertThrows(IllegalArgumentException.class, () -> parse("--out=x", "stray"));
  }

  private static void parse(String... args) {
    Generate.Arguments.parse(args);
  }
}
