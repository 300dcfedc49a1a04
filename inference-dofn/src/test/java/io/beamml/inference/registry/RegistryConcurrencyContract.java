package io.beamml.inference.registry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
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
import org.junit.Test;

/**
 * What every registry store must give concurrent writers, run against each store by a subclass:
 * threads released together register and move aliases; exactly one wins each version number and
 * each compare-and-set, and the history is one unbroken chain.
 */
public abstract class RegistryConcurrencyContract {

  static final int THREADS = 8;

  protected ModelRegistry registry;

  /** A fresh, empty registry on the store under test. */
  protected abstract ModelRegistry newRegistry() throws Exception;

  /** Whether the model's alias lock exists now (it must not between moves). */
  protected abstract boolean lockExists(String name) throws Exception;

  @Before
  public void setUpRegistry() throws Exception {
    registry = newRegistry();
  }

  @Test
  public void concurrentRegistrationsGetDistinctVersionsThatTheirFilesName() throws Exception {
    registry.register(
        "promo", "old".getBytes(StandardCharsets.UTF_8), "json", new ModelMetadata(), Map.of());
    List<ModelMetadata> registered =
        all(
            THREADS,
            i -> ConcurrentWriters.registerNamingItsVersion(registry, "promo", "thread-" + i));

    Set<String> versions = new HashSet<>();
    for (ModelMetadata m : registered) {
      assertTrue("version " + m.version + " given twice", versions.add(m.version));
      assertNamesItsOwnVersion(m.version);
    }
    assertEquals(THREADS, versions.size());
    assertEquals(THREADS + 1, registry.versions("promo").size());
  }

  @Test
  public void exactlyOneCompareAndSetWinsPerTargetAndTheHistoryListsEachMoveOnce()
      throws Exception {
    List<String> candidates = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      candidates.add(
          ConcurrentWriters.registerNamingItsVersion(registry, "promo", "w" + i).version);
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
    assertFalse(lockExists("promo"));
  }

  @Test
  public void writersRegisteringAndPromotingAtOnceLeaveOneChainOfMoves() throws Exception {
    // Each writer registers a version, then moves the alias from the holder it saw to its own.
    List<String> outcomes =
        all(
            THREADS,
            i -> {
              ModelMetadata m =
                  ConcurrentWriters.registerNamingItsVersion(registry, "promo", "writer-" + i);
              String seen = registry.aliases("promo").get("champion");
              try {
                registry.moveAliasIfAt("promo", "champion", seen, m.version, false, "writer " + i);
                return "moved " + m.version;
              } catch (AliasConflictException e) {
                assertEquals(seen, e.expected());
                return "refused " + m.version;
              }
            });
    Set<String> versions = new HashSet<>();
    int moves = 0;
    for (String o : outcomes) {
      assertTrue("version given twice: " + outcomes, versions.add(o.substring(o.indexOf(' ') + 1)));
      moves += o.startsWith("moved ") ? 1 : 0;
    }
    assertEquals(new HashSet<>(registry.versions("promo")), versions);
    assertTrue("at least one move wins: " + outcomes, moves >= 1);
    List<AliasChange> history = registry.aliasHistory("promo");
    assertEquals(moves, history.size());
    String previous = null;
    for (AliasChange change : history) {
      assertEquals("each move starts where the previous one ended", previous, change.fromVersion);
      assertTrue(change.toVersion, outcomes.contains("moved " + change.toVersion));
      previous = change.toVersion;
    }
    assertEquals(previous, registry.aliases("promo").get("champion"));
    assertFalse(lockExists("promo"));
  }

  @Test
  public void aStaleExpectationIsRefusedAndWritesNothing() {
    String v1 = ConcurrentWriters.registerNamingItsVersion(registry, "promo", "a").version;
    String v2 = ConcurrentWriters.registerNamingItsVersion(registry, "promo", "b").version;
    registry.moveAliasIfAt("promo", "champion", null, v1, false, "first");
    AliasConflictException e =
        assertThrows(
            AliasConflictException.class,
            () -> registry.moveAliasIfAt("promo", "champion", null, v2, false, "late"));
    assertEquals(v1, e.actual());
    assertThat(
        e.getMessage(),
        startsWith(
            "promo@champion was expected at (no version) but another writer moved it to version "
                + v1));
    assertEquals(v1, registry.aliases("promo").get("champion"));
    assertEquals(1, registry.aliasHistory("promo").size());
  }

  void assertNamesItsOwnVersion(String version) {
    assertEquals(version, registry.metadata("promo", version).version);
    String card =
        new String(registry.readAttachment("promo", version, "card.txt"), StandardCharsets.UTF_8);
    assertThat(card, startsWith("card of promo:" + version + " by "));
    String writer = card.substring(card.indexOf(" by ") + 4);
    assertEquals(
        "model of " + writer,
        new String(
            registry.readVerifiedModel(registry.metadata("promo", version)),
            StandardCharsets.UTF_8));
  }

  /** Every writer expects {@code seen} and tries to move the alias to its own candidate. */
  private List<String> casRound(String seen, List<String> candidates) throws Exception {
    return all(
        candidates.size(),
        i -> {
          try {
            registry.moveAliasIfAt(
                "promo", "champion", seen, candidates.get(i), false, "writer " + i);
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
        Callable<T> c =
            () -> {
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
