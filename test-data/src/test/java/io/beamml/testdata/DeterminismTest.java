package io.beamml.testdata;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The seed alone decides the bytes. */
public class DeterminismTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void sameSeedWritesIdenticalBytes() throws IOException {
    GeneratorConfig config = GeneratorConfig.of(90, 6, 1234L);
    Path a = tmp.newFolder("a").toPath();
    Path b = tmp.newFolder("b").toPath();
    DataGenerator.generate(config, a);
    DataGenerator.generate(config, b);
    Map<String, byte[]> left = contents(a);
    Map<String, byte[]> right = contents(b);
    assertEquals(left.keySet(), right.keySet());
    for (String file : left.keySet()) {
      assertArrayEquals(file, left.get(file), right.get(file));
    }
  }

  @Test
  public void anotherSeedWritesOtherData() throws IOException {
    Path a = tmp.newFolder("a").toPath();
    Path b = tmp.newFolder("b").toPath();
    DataGenerator.generate(GeneratorConfig.of(90, 6, 1L), a);
    DataGenerator.generate(GeneratorConfig.of(90, 6, 2L), b);
    assertFalse(
        java.util.Arrays.equals(
            Files.readAllBytes(a.resolve(DataGenerator.PROFILES_FILE)),
            Files.readAllBytes(b.resolve(DataGenerator.PROFILES_FILE))));
    assertNotEquals(
        Files.readString(a.resolve(DataGenerator.clicksFile(0))),
        Files.readString(b.resolve(DataGenerator.clicksFile(0))));
  }

  @Test
  public void regeneratingReplacesStalePartsOnly() throws IOException {
    Path out = tmp.newFolder("out").toPath();
    Files.createDirectories(out.resolve("clicks"));
    Files.createDirectories(out.resolve("sales"));
    Files.writeString(out.resolve("clicks/clicks-0099.jsonl"), "{}\n");
    Files.writeString(out.resolve("sales/sales-1999-01-01.csv"), "x\n");
    Files.writeString(out.resolve("clicks/notes.txt"), "kept\n");
    DataGenerator.generate(GeneratorConfig.of(30, 2, 3L), out);
    assertFalse(Files.exists(out.resolve("clicks/clicks-0099.jsonl")));
    assertFalse(Files.exists(out.resolve("sales/sales-1999-01-01.csv")));
    assertTrue(Files.exists(out.resolve("clicks/notes.txt")));
  }

  private static Map<String, byte[]> contents(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }
}
