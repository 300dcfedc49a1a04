package io.beamml.inference.registry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Many writers on one registry directory at once: threads of one JVM and separate processes. */
public class ConcurrentRegistryTest {

  private static final int THREADS = 8;

  @Rule public TemporaryFolder folder = new TemporaryFolder();

  private String root;
  private ModelRegistry registry;

  @Before
  public void setUp() throws Exception {
    root = folder.newFolder("registry").getAbsolutePath();
    registry = ModelRegistry.at(root);
  }

  @Test
  public void concurrentRegistrationsGetDistinctVersionsThatTheirFilesName() throws Exception {
    registry.register("promo", "old".getBytes(StandardCharsets.UTF_8), "json", new ModelMetadata(), Map.of());
    List<ModelMetadata> registered =
        all(THREADS, i -> ConcurrentWriters.registerNamingItsVersion(registry, "promo", "thread-" + i));

    Set<String> versions = new HashSet<>();
    for (ModelMetadata m : registered) {
      assertTrue("version " + m.version + " given twice", versions.add(m.version));
      assertNamesItsOwnVersion(m.version);
    }
    assertEquals(THREADS, versions.size());
    assertEquals(THREADS + 1, registry.versions("promo").size());
  }

  @Test
  public void exactlyOneCompareAndSetWinsPerTargetAndTheHistoryListsEachMoveOnce() throws Exception {
    List<String> candidates = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      candidates.add(ConcurrentWriters.registerNamingItsVersion(registry, "promo", "w" + i).version);
    }
    // Round 1: every writer saw no champion. Round 2: every writer saw round 1's winner.
    String winner1 = onlyWinner(casRound(null, candidates));
    assertEquals(winner1, registry.aliases("promo").get("champion"));
    List<String> others = new ArrayList<>(candidates);
    others.remove(winner1);
    String winner2 = onlyWinner(casRound(winner1, others));
    assertEquals(winner2, registry.aliases("promo").get("champion"));

    List<AliasChange> history = registry.aliasHistory("promo");
    assertEquals(2, history.size());
    assertNull(history.get(0).fromVersion);
    assertEquals(winner1, history.get(0).toVersion);
    assertEquals(winner1, history.get(1).fromVersion);
    assertEquals(winner2, history.get(1).toVersion);
    assertFalse(Files.exists(Path.of(root, "promo", ModelRegistry.LOCK_FILE)));
  }

  @Test
  public void aStaleExpectationIsRefusedAndWritesNothing() {
    String v1 = ConcurrentWriters.registerNamingItsVersion(registry, "promo", "a").version;
    String v2 = ConcurrentWriters.registerNamingItsVersion(registry, "promo", "b").version;
    registry.moveAliasIfAt("promo", "champion", null, v1, false, "first");
    AliasConflictException e =
        assertThrows(AliasConflictException.class, () -> registry.moveAliasIfAt("promo", "champion", null, v2, false, "late"));
    assertEquals(v1, e.actual());
    assertThat(e.getMessage(), startsWith("promo@champion was expected at (no version) but another writer moved it to version " + v1));
    assertEquals(v1, registry.aliases("promo").get("champion"));
    assertEquals(1, registry.aliasHistory("promo").size());
  }

  @Test
  public void aLockLeftByADeadWriterIsNamedNotBroken() throws Exception {
    Path lock = Path.of(root, "promo", ModelRegistry.LOCK_FILE);
    Files.createDirectories(lock.getParent());
    Files.writeString(lock, "{\"writer\":\"dead\"}");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> RegistryLock.acquire(lock.toString(), 50));
    assertThat(e.getMessage(), startsWith("the registry lock " + lock + " has been held"));
    assertTrue(e.getMessage(), e.getMessage().contains("{\"writer\":\"dead\"}: if no train/register/promote is running"));
    assertTrue("the dead writer's lock stays", Files.exists(lock));
  }

  @Test
  public void twoProcessesRegisteringAndPromotingAtOnce() throws Exception {
    int perProcess = 6;
    List<Process> processes = new ArrayList<>();
    for (String writer : List.of("jvm-a", "jvm-b")) {
      processes.add(
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-cp",
                  System.getProperty("java.class.path"), ConcurrentWriters.class.getName(), root, "promo", writer,
                  Integer.toString(perProcess))
              .redirectErrorStream(true)
              .start());
    }
    List<String> lines = new ArrayList<>();
    for (Process p : processes) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(out, 0, p.exitValue());
      for (String line : out.split("\n")) {
        if (line.matches("(registered|moved|refused) .*")) {
          lines.add(line);
        }
      }
    }
    Set<String> versions = new HashSet<>();
    int moves = 0;
    for (String line : lines) {
      if (line.startsWith("registered ")) {
        assertTrue(line, versions.add(line.substring("registered ".length())));
      } else if (line.startsWith("moved ")) {
        moves++;
      }
    }
    assertEquals(2 * perProcess, versions.size());
    assertEquals(versions, new HashSet<>(registry.versions("promo")));
    for (String v : versions) {
      assertNamesItsOwnVersion(v);
    }
    // Every reported move is in the history exactly once, and the history is one unbroken chain.
    List<AliasChange> history = registry.aliasHistory("promo");
    assertEquals(moves, history.size());
    String previous = null;
    for (AliasChange change : history) {
      assertEquals(previous, change.fromVersion);
      previous = change.toVersion;
    }
    assertEquals(previous, registry.aliases("promo").get("champion"));
  }

  private void assertNamesItsOwnVersion(String version) {
    assertEquals(version, registry.metadata("promo", version).version);
    String card = new String(registry.readAttachment("promo", version, "card.txt"), StandardCharsets.UTF_8);
    assertThat(card, startsWith("card of promo:" + version + " by "));
    String writer = card.substring(card.indexOf(" by ") + 4);
    assertEquals(
        "model of " + writer,
        new String(registry.readVerifiedModel(registry.metadata("promo", version)), StandardCharsets.UTF_8));
  }

  /** Every writer expects {@code seen} and tries to move the alias to its own candidate. */
  private List<String> casRound(String seen, List<String> candidates) throws Exception {
    return all(candidates.size(), i -> {
      try {
        registry.moveAliasIfAt("promo", "champion", seen, candidates.get(i), false, "writer " + i);
        return candidates.get(i);
      } catch (AliasConflictException e) {
        return null;
      }
    });
  }

  private static String onlyWinner(List<String> outcomes) {
    List<String> winners = new ArrayList<>();
    for (String o : outcomes) {
      if (o != null) {
        winners.add(o);
      }
    }
    assertEquals("winners " + winners, 1, winners.size());
    return winners.get(0);
  }

  interface Task<T> {
    T run(int i) throws Exception;
  }

  /** Runs n tasks released together from one latch; returns their results in task order. */
  static <T> List<T> all(int n, Task<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        Callable<T> c = () -> {
          start.await();
          return task.run(index);
        };
        futures.add(pool.submit(c));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
