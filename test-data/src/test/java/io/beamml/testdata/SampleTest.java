package io.beamml.testdata;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The committed sample under {@code test-data/sample} is byte for byte what {@code Generate
 * --customers=60 --days=10 --seed=7} writes, so it can never drift from the generator.
 */
public class SampleTest {
  static final Path SAMPLE = Paths.get("sample");
  static final GeneratorConfig SAMPLE_CONFIG = GeneratorConfig.of(60, 10, 7L);

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void committedSampleMatchesTheGenerator() throws IOException {
    assertTrue("run from the test-data module directory", Files.isDirectory(SAMPLE));
    Path fresh = tmp.newFolder("sample").toPath();
    DataGenerator.generate(SAMPLE_CONFIG, fresh);
    Set<String> expected = dataFiles(fresh);
    assertEquals(expected, dataFiles(SAMPLE));
    for (String file : expected) {
      assertArrayEquals(
          file, Files.readAllBytes(fresh.resolve(file)), Files.readAllBytes(SAMPLE.resolve(file)));
    }
  }

  private static Set<String> dataFiles(Path root) throws IOException {
    Set<String> files = new TreeSet<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(name -> !name.equals(".gitattributes") && !name.equals("README.md"))
          .forEach(files::add);
    }
    return files;
  }
}
