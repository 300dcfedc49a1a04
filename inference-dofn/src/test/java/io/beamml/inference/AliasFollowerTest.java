package io.beamml.inference;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.AliasFollower.Refresh;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The per-JVM alias follower, driven by an explicit clock: callers pass the time. */
public class AliasFollowerTest {

  @Rule public TemporaryFolder folder = new TemporaryFolder();

  private String root;
  private ModelRegistry registry;

  @Before
  public void setUp() throws Exception {
    root = folder.newFolder("registry").getAbsolutePath();
    registry = ModelRegistry.at(root);
    for (int i = 1; i <= 3; i++) {
      // The follower only reads aliases.json: any bytes do for a model here.
      registry.register(
          "promo",
          ("model " + i).getBytes(StandardCharsets.UTF_8),
          "json",
          new ModelMetadata(),
          Map.of());
    }
    registry.moveAlias("promo", "champion", "1", false, "test");
  }

  private Path aliasesFile() {
    return Path.of(root, "promo", ModelRegistry.ALIASES_FILE);
  }

  @Test
  public void aMoveIsSeenOnlyOnceTheIntervalHasPassed() {
    AliasFollower follower = AliasFollower.shared(root, "promo", "champion", "1");
    assertEquals("1", follower.version());
    assertEquals(
        "the first check reads at once", Refresh.UNCHANGED, follower.refreshIfDue(10_000, 1_000));

    registry.moveAlias("promo", "champion", "2", false, "test");
    assertEquals(Refresh.NOT_DUE, follower.refreshIfDue(10_000, 1_000));
    assertEquals(Refresh.NOT_DUE, follower.refreshIfDue(10_999, 1_000));
    assertEquals("1", follower.version());
    assertEquals(1, follower.reads());

    assertEquals(Refresh.MOVED, follower.refreshIfDue(11_000, 1_000));
    assertEquals("2", follower.version());
    assertEquals(Refresh.NOT_DUE, follower.refreshIfDue(11_500, 1_000));
    assertEquals(Refresh.UNCHANGED, follower.refreshIfDue(12_000, 1_000));
    assertEquals("2", follower.version());
    assertEquals(3, follower.reads());
    assertEquals(0, follower.failures());
  }

  @Test
  public void aFailedRereadKeepsTheVersionAndIsRetriedAfterAnInterval() throws Exception {
    AliasFollower follower = AliasFollower.shared(root, "promo", "champion", "1");
    assertEquals(Refresh.UNCHANGED, follower.refreshIfDue(0, 100));

    Files.writeString(aliasesFile(), "{ this is not json");
    assertEquals(Refresh.FAILED, follower.refreshIfDue(100, 100));
    assertEquals("1", follower.version());
    assertEquals(1, follower.failures());
    assertEquals(
        "a failure waits a whole interval too", Refresh.NOT_DUE, follower.refreshIfDue(199, 100));
    assertEquals(Refresh.FAILED, follower.refreshIfDue(200, 100));
    assertEquals(2, follower.failures());

    Files.writeString(aliasesFile(), "{\"challenger\": \"3\"}");
    assertEquals(
        "a removed alias keeps the version too", Refresh.FAILED, follower.refreshIfDue(300, 100));
    assertEquals("1", follower.version());
    assertEquals(3, follower.failures());

    Files.writeString(aliasesFile(), "{\"champion\": \"1\"}");
    registry.moveAlias("promo", "champion", "3", false, "test");
    assertEquals(Refresh.MOVED, follower.refreshIfDue(400, 100));
    assertEquals("3", follower.version());
    assertEquals(3, follower.failures());
  }

  @Test
  public void oneFollowerPerRegistryModelAndAlias() throws Exception {
    AliasFollower first = AliasFollower.shared(root, "promo", "champion", "1");
    assertSame(first, AliasFollower.shared(root, "promo", "champion", "2"));
    assertEquals("the first caller's initial version stands", "1", first.version());
    assertEquals(ModelRef.alias("promo", "champion"), first.ref());
    assertNotSame(first, AliasFollower.shared(root, "promo", "challenger", "1"));
    assertNotSame(first, AliasFollower.shared(root, "other", "champion", "1"));
    String otherRoot = folder.newFolder("other-registry").getAbsolutePath();
    assertNotSame(first, AliasFollower.shared(otherRoot, "promo", "champion", "1"));
  }

  @Test
  public void onlyOneThreadRereadsAndTheOthersDoNotWait() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    AliasFollower follower =
        new AliasFollower(
            ModelRef.alias("promo", "champion"),
            "test",
            "1",
            () -> {
              calls.incrementAndGet();
              entered.countDown();
              try {
                assertTrue(release.await(60, TimeUnit.SECONDS));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
              return "2";
            });
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Refresh> reader = pool.submit(() -> follower.refreshIfDue(1_000, 100));
      assertTrue("the reader started", entered.await(60, TimeUnit.SECONDS));
      assertEquals(
          "a re-read in progress counts as the attempt",
          Refresh.NOT_DUE,
          follower.refreshIfDue(1_050, 100));
      assertEquals(Refresh.BUSY, follower.refreshIfDue(5_000, 100));
      assertEquals("others keep the version they know", "1", follower.version());
      release.countDown();
      assertEquals(Refresh.MOVED, reader.get(60, TimeUnit.SECONDS));
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    assertEquals("2", follower.version());
    assertEquals(1, calls.get());
    assertEquals(Refresh.NOT_DUE, follower.refreshIfDue(1_099, 100));
  }

  @Test
  public void aSwitchIsAnnouncedAndARefusalLoggedOncePerVersion() {
    AliasFollower follower =
        new AliasFollower(ModelRef.alias("promo", "champion"), "test", "1", () -> "1");
    assertFalse("the initial version is no switch", follower.announceSwitch("1"));
    assertTrue(follower.announceSwitch("2"));
    assertFalse(follower.announceSwitch("2"));
    assertTrue("moving back is a switch too", follower.announceSwitch("1"));
    assertTrue(follower.firstRefusal("3"));
    assertFalse(follower.firstRefusal("3"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new AliasFollower(ModelRef.version("promo", "1"), "test", "1", () -> "1"));
  }
}
