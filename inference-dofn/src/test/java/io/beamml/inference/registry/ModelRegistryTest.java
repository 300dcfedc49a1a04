package io.beamml.inference.registry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ModelRegistryTest {

  @Rule public TemporaryFolder folder = new TemporaryFolder();

  private ModelRegistry registry;
  private String root;

  @Before
  public void setUp() throws Exception {
    root = folder.newFolder("registry").getAbsolutePath();
    registry = ModelRegistry.at(root);
  }

  private static ModelMetadata template() {
    ModelMetadata m = new ModelMetadata();
    m.featureNames = List.of("a", "b");
    m.specFingerprint = "0123456789abcdef";
    m.origin = "trained";
    return m;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  public void registersVersionsInOrderWithTheirHashAndAttachments() {
    assertEquals(List.of(), registry.versions("promo"));
    ModelMetadata v1 = registry.register("promo", bytes("{\"m\":1}"), "json", template(), Map.of());
    ModelMetadata v2 =
        registry.register(
            "promo", bytes("ubj-2"), "ubj", template(), Map.of("card.md", bytes("# card")));

    assertEquals("1", v1.version);
    assertEquals("2", v2.version);
    assertEquals(List.of("1", "2"), registry.versions("promo"));
    assertEquals("model.ubj", v2.modelFile);
    assertEquals(RegistryFiles.sha256Hex(bytes("ubj-2")), v2.sha256);
    assertEquals(List.of("card.md"), v2.attachments);

    ModelMetadata read = registry.metadata("promo", "2");
    assertEquals("promo", read.name);
    assertEquals("ubj", read.modelFormat);
    assertEquals(List.of("a", "b"), read.featureNames);
    assertEquals("0123456789abcdef", read.specFingerprint);
    assertArrayEquals(bytes("ubj-2"), registry.readVerifiedModel(read));
    assertArrayEquals(bytes("# card"), registry.readAttachment("promo", "2", "card.md"));
  }

  @Test
  public void versionsSortNumericallyNotAsText() {
    for (int i = 0; i < 11; i++) {
      registry.register("promo", bytes("m" + i), "json", template(), Map.of());
    }
    List<String> versions = registry.versions("promo");
    assertEquals("10", versions.get(9));
    assertEquals("11", versions.get(10));
    assertEquals(
        "12", registry.register("promo", bytes("m"), "json", template(), Map.of()).version);
  }

  @Test
  public void resolvesAliasesAndPinnedVersions() {
    registry.register("promo", bytes("m1"), "json", template(), Map.of());
    registry.register("promo", bytes("m2"), "json", template(), Map.of());
    registry.moveAlias("promo", "champion", "1", false, "first");
    registry.moveAlias("promo", "challenger", "2", false, "try");

    assertEquals("1", registry.resolve(ModelRef.parse("promo@champion")));
    assertEquals("2", registry.resolve(ModelRef.parse("promo@challenger")));
    assertEquals("2", registry.resolve(ModelRef.parse("promo:2")));
    assertEquals(Map.of("champion", "1", "challenger", "2"), registry.aliases("promo"));

    registry.moveAlias("promo", "champion", "2", false, "promoted");
    assertEquals("2", registry.resolve(ModelRef.parse("promo@champion")));
  }

  @Test
  public void unknownAliasNamesTheAliasesThatExist() {
    registry.register("promo", bytes("m1"), "json", template(), Map.of());
    registry.moveAlias("promo", "champion", "1", false, "first");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> registry.resolve(ModelRef.parse("promo@staging")));
    assertThat(e.getMessage(), containsString("has no alias staging"));
    assertThat(e.getMessage(), containsString("champion=1"));
  }

  @Test
  public void unknownVersionNamesTheVersionsThatExist() {
    registry.register("promo", bytes("m1"), "json", template(), Map.of());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> registry.resolve(ModelRef.parse("promo:7")));
    assertThat(e.getMessage(), containsString("no version 7 of model promo"));
    assertThat(e.getMessage(), containsString("[1]"));
  }

  @Test
  public void aliasHistoryRecordsEveryMoveAndAnswersVersionAt() throws Exception {
    registry.register("promo", bytes("m1"), "json", template(), Map.of());
    registry.register("promo", bytes("m2"), "json", template(), Map.of());
    Instant before = Instant.parse("2026-12-01T00:00:00Z");
    Instant between = before.plusSeconds(120);
    registry
        .withClock(Clock.fixed(before.plusSeconds(60), ZoneOffset.UTC))
        .moveAlias("promo", "champion", "1", false, "first");
    registry
        .withClock(Clock.fixed(between.plusSeconds(60), ZoneOffset.UTC))
        .moveAlias("promo", "champion", "2", true, "hotfix");

    List<AliasChange> history = registry.aliasHistory("promo");
    assertEquals(2, history.size());
    assertNull(history.get(0).fromVersion);
    assertEquals("1", history.get(0).toVersion);
    assertFalse(history.get(0).forced);
    assertEquals("1", history.get(1).fromVersion);
    assertEquals("2", history.get(1).toVersion);
    assertTrue(history.get(1).forced);
    assertEquals("hotfix", history.get(1).reason);

    assertNull(registry.versionAt("promo", "champion", before));
    assertEquals("1", registry.versionAt("promo", "champion", between));
    assertEquals("2", registry.versionAt("promo", "champion", Instant.now()));
    assertNull(registry.versionAt("promo", "challenger", Instant.now()));
  }

  @Test
  public void movingAnAliasToAMissingVersionFails() {
    registry.register("promo", bytes("m1"), "json", template(), Map.of());
    assertThrows(
        IllegalArgumentException.class,
        () -> registry.moveAlias("promo", "champion", "3", false, "x"));
    assertEquals(Map.of(), registry.aliases("promo"));
    assertEquals(List.of(), registry.aliasHistory("promo"));
  }

  @Test
  public void tamperedModelIsRefused() throws Exception {
    ModelMetadata v1 = registry.register("promo", bytes("{\"m\":1}"), "json", template(), Map.of());
    Path file = Path.of(root, "promo", "versions", "1", "model.json");
    Files.write(file, bytes("{\"m\":2}"));

    ModelIntegrityException e =
        assertThrows(
            ModelIntegrityException.class,
            () -> registry.readVerifiedModel(registry.metadata("promo", "1")));
    assertThat(e.getMessage(), containsString("does not match its registered SHA-256"));
    assertThat(e.getMessage(), containsString(v1.sha256));
  }

  @Test
  public void rejectsBadFormatsAndNames() {
    assertThrows(
        IllegalArgumentException.class,
        () -> registry.register("promo", bytes("x"), "pkl", template(), Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> registry.register("../evil", bytes("x"), "json", template(), Map.of()));
    assertThrows(IllegalArgumentException.class, () -> ModelRegistry.at(" "));
    assertThrows(IllegalArgumentException.class, () -> ModelRef.parse("promo"));
    assertThrows(IllegalArgumentException.class, () -> ModelRef.parse("promo@a:1"));
    assertEquals(ModelRef.alias("promo", "champion"), ModelRef.parse("promo@champion"));
    assertEquals("promo:3", ModelRef.parse("promo:3").toString());
  }
}
