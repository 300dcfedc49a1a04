package io.beamml.inference;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.testing.TestModels;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import ml.dmlc.xgboost4j.java.Booster;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.joda.time.Instant;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Alias following at the level of one DoFn instance's model slot, with real models and registry but
 * a clock the test moves: which version scores which batch, what is loaded and freed, and what
 * happens to a version that cannot be used.
 */
public class ModelSlotTest {

  private static final long INTERVAL = 1_000;

  @ClassRule public static TemporaryFolder folder = new TemporaryFolder();

  private static String root;
  private static Booster first;
  private static Booster second;
  private static List<FeatureRow> rows;
  private static float[] firstScores;
  private static float[] secondScores;

  private final AtomicLong clock = new AtomicLong();

  @BeforeClass
  public static void trainModels() throws Exception {
    root = folder.newFolder("registry").getAbsolutePath();
    List<FeatureRow> training = TestModels.rows(300, 11);
    first = TestModels.train(training, 20, 4);
    second = TestModels.train(training, 8, 2);
    rows = TestModels.rows(40, 71);
    firstScores = TestModels.reference(first, rows);
    secondScores = TestModels.reference(second, rows);
  }

  @AfterClass
  public static void dispose() {
    first.dispose();
    second.dispose();
  }

  /** Registers the two models as versions 1 and 2 of {@code name}, with champion at 1. */
  private static ModelRegistry twoVersions(String name) throws Exception {
    assertEquals("1", TestModels.register(root, name, first, "json"));
    assertEquals("2", TestModels.register(root, name, second, "json"));
    ModelRegistry registry = ModelRegistry.at(root);
    registry.moveAlias(name, "champion", "1", false, "test");
    return registry;
  }

  private ModelSlot open(String name, String resolvedVersion, String expectedSpec) {
    AliasFollower follower = AliasFollower.shared(root, name, "champion", resolvedVersion);
    return ModelSlot.open(
        champion(name, resolvedVersion),
        follower,
        INTERVAL,
        clock::get,
        TestModels.SPEC,
        expectedSpec,
        4,
        0);
  }

  private static DeployedModel champion(String name, String version) {
    return new DeployedModel(new ModelKey(root, name, version), DeployedModel.CHAMPION);
  }

  /** Adds rows [from, to) one by one, as the DoFn does, and flushes when a batch is full. */
  private static void score(ModelSlot slot, int from, int to, Collected out) {
    for (int i = from; i < to; i++) {
      BatchScorer scorer = slot.scorerForRow();
      assertNull(
          scorer.add(rows.get(i), new Instant(i), GlobalWindow.INSTANCE, PaneInfo.NO_FIRING));
      if (scorer.isFull()) {
        scorer.flush(out);
      }
    }
  }

  /** Checks that each of rows [from, to) was scored by {@code version}, with its scores. */
  private static void assertScoredBy(String version, Collected out, int from, int to) {
    float[] reference = version.equals("1") ? firstScores : secondScores;
    for (int i = from; i < to; i++) {
      Prediction p = out.byEvent(rows.get(i).getEventId());
      assertEquals(p.getEventId(), version, p.getModelVersion());
      assertEquals(p.getEventId(), reference[i], p.getScore(), 1e-6);
    }
  }

  @Test
  public void aMoveIsScoredFromTheFirstBatchOpenedAnIntervalLaterAndABatchKeepsItsModel()
      throws Exception {
    ModelRegistry registry = twoVersions("moves");
    int heldBefore = ModelCache.size();
    long loadsBefore = ModelCache.loads();
    Collected out = new Collected();

    ModelSlot slot = open("moves", "1", null);
    try {
      score(slot, 0, 4, out);
      registry.moveAlias("moves", "champion", "2", false, "test");
      clock.set(INTERVAL - 1);
      score(slot, 4, 10, out);
      assertEquals("rows 8 and 9 wait in an open batch", 2, slot.scorer().size());

      clock.set(INTERVAL);
      BatchScorer open = slot.scorer();
      score(slot, 10, 12, out);
      assertSame("an open batch is not switched", open, slot.scorer());
      assertEquals("not switched while a batch is open", "1", slot.deployment().key().version());

      score(slot, 12, 20, out);
      slot.scorer().flush(out);
      assertScoredBy("1", out, 0, 12);
      assertScoredBy("2", out, 12, 20);
      assertEquals(DeployedModel.CHAMPION, slot.deployment().variant());
      assertEquals(2, ModelCache.loads() - loadsBefore);
      assertEquals("version 1 was freed when the slot left it", heldBefore + 1, ModelCache.size());
      assertEquals(new ModelSlot.Unreported(1, 0, 0, 2), slot.unreported());
      slot.reportMetrics();
      assertEquals(new ModelSlot.Unreported(0, 0, 0, 0), slot.unreported());
    } finally {
      slot.close();
    }
    assertEquals(heldBefore, ModelCache.size());
  }

  @Test
  public void instancesOfOneJvmShareTheNewModelAndFreeTheOldOneWhenTheLastLeavesIt()
      throws Exception {
    ModelRegistry registry = twoVersions("shared");
    int heldBefore = ModelCache.size();
    long loadsBefore = ModelCache.loads();
    ModelSlot a = open("shared", "1", null);
    ModelSlot b = open("shared", "1", null);
    try {
      assertEquals(1, ModelCache.loads() - loadsBefore);
      registry.moveAlias("shared", "champion", "2", false, "test");
      clock.set(INTERVAL);
      Collected out = new Collected();
      score(a, 0, 4, out);
      assertEquals("2", a.deployment().key().version());
      assertEquals("b still holds version 1", heldBefore + 2, ModelCache.size());
      score(b, 4, 8, out);
      assertEquals("2", b.deployment().key().version());
      assertEquals("version 2 was loaded once", 2, ModelCache.loads() - loadsBefore);
      assertEquals(heldBefore + 1, ModelCache.size());
      assertScoredBy("2", out, 0, 8);
      assertEquals(
          "the switch is counted once per JVM",
          1,
          a.unreported().switches() + b.unreported().switches());
    } finally {
      a.close();
      b.close();
    }
    assertEquals(heldBefore, ModelCache.size());
  }

  @Test
  public void aVersionThatFailsVerificationIsRefusedAndRetriedAfterAnInterval() throws Exception {
    ModelRegistry registry = twoVersions("tampered");
    Path file = Path.of(root, "tampered", "versions", "2", "model.json");
    String good = Files.readString(file);
    Files.writeString(file, good.replace("binary:logistic", "reg:logistic"));
    ModelSlot slot = open("tampered", "1", null);
    try {
      Collected out = new Collected();
      registry.moveAlias("tampered", "champion", "2", false, "test");
      clock.set(INTERVAL);
      score(slot, 0, 4, out);
      assertEquals("the old version keeps scoring", "1", slot.deployment().key().version());
      assertEquals(new ModelSlot.Unreported(0, 1, 0, 1), slot.unreported());

      clock.set(2 * INTERVAL - 1);
      score(slot, 4, 8, out);
      assertEquals("no retry within the interval", 1, slot.unreported().switchFailures());

      Files.writeString(file, good);
      clock.set(2 * INTERVAL);
      score(slot, 8, 12, out);
      assertEquals("retried an interval later", "2", slot.deployment().key().version());
      slot.scorer().flush(out);
      assertScoredBy("1", out, 0, 8);
      assertScoredBy("2", out, 8, 12);
      assertEquals(new ModelSlot.Unreported(1, 1, 0, 2), slot.unreported());
    } finally {
      slot.close();
    }
  }

  @Test
  public void aVersionUnderAnotherSpecIsRefusedWhenTheSpecIsExpected() throws Exception {
    ModelRegistry registry = twoVersions("respec");
    ModelMetadata otherSpec = TestModels.trainedMetadata();
    otherSpec.featureSpec = null;
    otherSpec.specFingerprint = "ffffffffffffffff";
    otherSpec.origin = "imported";
    String v3 =
        registry.register("respec", second.toByteArray("json"), "json", otherSpec, Map.of())
            .version;
    ModelSlot slot = open("respec", "1", TestModels.SPEC.fingerprint());
    try {
      registry.moveAlias("respec", "champion", v3, false, "test");
      clock.set(INTERVAL);
      Collected out = new Collected();
      score(slot, 0, 4, out);
      assertScoredBy("1", out, 0, 4);
      assertEquals(new ModelSlot.Unreported(0, 1, 0, 1), slot.unreported());
    } finally {
      slot.close();
    }
  }

  @Test
  public void anUnreadableAliasKeepsTheVersionInUse() throws Exception {
    twoVersions("unreadable");
    ModelSlot slot = open("unreadable", "1", null);
    try {
      Files.writeString(Path.of(root, "unreadable", ModelRegistry.ALIASES_FILE), "{ not json");
      clock.set(INTERVAL);
      Collected out = new Collected();
      score(slot, 0, 8, out);
      clock.set(2 * INTERVAL);
      score(slot, 8, 12, out);
      slot.scorer().flush(out);
      assertScoredBy("1", out, 0, 12);
      assertEquals(
          "one failed re-read per interval",
          new ModelSlot.Unreported(0, 0, 2, 1),
          slot.unreported());
    } finally {
      slot.close();
    }
  }

  @Test
  public void aSlotOpensOnTheVersionTheAliasPointsAtNowAndFallsBackToTheResolvedOne()
      throws Exception {
    ModelRegistry registry = twoVersions("late");
    registry.moveAlias("late", "champion", "2", false, "moved after the pipeline was built");
    ModelSlot slot = open("late", "1", null);
    try {
      assertEquals("2", slot.deployment().key().version());
      assertEquals(
          "counted as a switch from the resolved version", 1, slot.unreported().switches());
    } finally {
      slot.close();
    }

    twoVersions("late-tampered");
    Path file = Path.of(root, "late-tampered", "versions", "2", "model.json");
    Files.writeString(file, Files.readString(file).replace("binary:logistic", "reg:logistic"));
    registry.moveAlias("late-tampered", "champion", "2", false, "test");
    ModelSlot fallback = open("late-tampered", "1", null);
    try {
      assertEquals("1", fallback.deployment().key().version());
      assertEquals(new ModelSlot.Unreported(0, 1, 0, 1), fallback.unreported());
    } finally {
      fallback.close();
    }
  }

  @Test
  public void aPinnedSlotNeverChanges() throws Exception {
    ModelRegistry registry = twoVersions("pinned");
    ModelSlot slot = ModelSlot.open(champion("pinned", "1"), null, 0, clock::get, null, null, 4, 0);
    try {
      registry.moveAlias("pinned", "champion", "2", false, "test");
      clock.set(100 * INTERVAL);
      Collected out = new Collected();
      score(slot, 0, 8, out);
      assertScoredBy("1", out, 0, 8);
    } finally {
      slot.close();
    }
  }

  /** Collects what flushes emit, by event id. */
  private static final class Collected implements BatchScorer.Emitter {
    private final List<Prediction> predictions = new ArrayList<>();

    @Override
    public void prediction(Prediction p, Instant timestamp, BoundedWindow window, PaneInfo pane) {
      predictions.add(p);
    }

    @Override
    public void failure(DeadLetter d, Instant timestamp, BoundedWindow window, PaneInfo pane) {
      throw new AssertionError("unexpected failure " + d.getReason() + ": " + d.getMessage());
    }

    Prediction byEvent(String eventId) {
      Prediction found = null;
      for (Prediction p : predictions) {
        if (p.getEventId().equals(eventId)) {
          assertNull("one prediction per row", found);
          found = p;
        }
      }
      if (found == null) {
        throw new AssertionError("no prediction for " + eventId);
      }
      return found;
    }
  }
}
