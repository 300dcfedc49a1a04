package io.beamml.training;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.registry.AliasChange;
import io.beamml.inference.registry.AliasConflictException;
import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.training.card.ModelCard;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** train and promote run by several writers at once against one registry directory. */
public class ConcurrentTrainPromoteTest {

  private static final int WRITERS = 3;

  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void concurrentTrainsEachRegisterTheirOwnVersionAndOnePromoteWinsEachHolder()
      throws Exception {
    Path set = SyntheticData.generate(1200, 1.0, 41).write(tmp.newFolder("set").toPath(), 1);
    String root = tmp.newFolder("registry").toString();
    List<Object> trained =
        atOnce(
            i ->
                TrainModel.run(
                        PipelineOptionsFactory.fromArgs(
                                "--registry=" + root,
                                "--trainingSet=" + set,
                                "--modelName=promo",
                                "--param=seed=" + i)
                            .as(TrainOptions.class))
                    .metadata());

    ModelRegistry registry = ModelRegistry.at(root);
    Set<String> versions = new HashSet<>();
    for (Object o : trained) {
      ModelMetadata m = (ModelMetadata) o;
      assertTrue("version " + m.version + " twice", versions.add(m.version));
      assertEquals(m.version, registry.metadata("promo", m.version).version);
      String card =
          new String(
              registry.readAttachment("promo", m.version, ModelCard.HTML), StandardCharsets.UTF_8);
      assertThat(card, containsString("<title>Model card: promo:" + m.version + "</title>"));
    }
    assertEquals(Set.of("1", "2", "3"), versions);

    // Promotes of every version at once: each either moves the alias from the holder it read,
    // is refused by the gate, or loses the compare-and-set; none overwrites a move it did not see.
    List<String> order = List.copyOf(versions);
    List<Object> outcomes =
        atOnce(
            i -> {
              try {
                return PromoteModel.run(
                    PipelineOptionsFactory.fromArgs(
                            "--registry=" + root,
                            "--model=promo:" + order.get(i),
                            "--minAuc=0.5",
                            "--maxAucDrop=1")
                        .as(PromoteOptions.class));
              } catch (AliasConflictException e) {
                return e;
              }
            });
    int moves = 0;
    for (Object o : outcomes) {
      if (o instanceof Promotion p && p.moved()) {
        moves++;
      } else if (!(o instanceof Promotion)) {
        assertTrue(String.valueOf(o), o instanceof AliasConflictException);
      }
    }
    List<AliasChange> history = registry.aliasHistory("promo");
    assertEquals(moves, history.size());
    String holder = null;
    for (AliasChange change : history) {
      assertEquals(holder, change.fromVersion);
      // The gate's verdict in the reason names the holder that promote compared against.
      if (change.fromVersion == null) {
        assertThat(change.reason, containsString("had no holder"));
      } else {
        assertThat(change.reason, not(containsString("had no holder")));
        assertThat(change.reason, containsString("promo:" + change.fromVersion));
      }
      holder = change.toVersion;
    }
    assertEquals(holder, registry.aliases("promo").get("champion"));
  }

  @Test
  public void aNumberTakenByAWriterStillWritingIsSkippedNotOverwritten() throws Exception {
    Path set = SyntheticData.generate(600, 1.0, 42).write(tmp.newFolder("small").toPath(), 1);
    String root = tmp.newFolder("busy").toString();
    // Another writer has taken version 1 and is still writing its files (no metadata.json yet).
    Path claim = Path.of(root, "promo", "versions", "1", ModelRegistry.CLAIM_FILE);
    Files.createDirectories(claim.getParent());
    Files.writeString(claim, "{\"writer\":\"other\"}");
    Files.writeString(claim.resolveSibling("model.json"), "other writer's model");

    ModelMetadata m =
        TrainModel.run(
                PipelineOptionsFactory.fromArgs(
                        "--registry=" + root, "--trainingSet=" + set, "--modelName=promo")
                    .as(TrainOptions.class))
            .metadata();
    assertEquals("2", m.version);
    String card =
        new String(
            ModelRegistry.at(root).readAttachment("promo", "2", ModelCard.HTML),
            StandardCharsets.UTF_8);
    assertThat(card, containsString("<title>Model card: promo:2</title>"));
    assertEquals("other writer's model", Files.readString(claim.resolveSibling("model.json")));
  }

  @Test
  public void aPromoteWhoseHolderMovedWhileItDecidedLosesInsteadOfOverwriting() throws Exception {
    String root = tmp.newFolder("race").toString();
    ModelRegistry registry = ModelRegistry.at(root);
    for (int i = 0; i < 2; i++) {
      ModelMetadata m = new ModelMetadata();
      m.metrics.put(ModelEvaluation.TEST_AUC, 0.8);
      registry.register(
          "promo", ("model " + i).getBytes(StandardCharsets.UTF_8), "json", m, java.util.Map.of());
    }
    // Hold the lock as a concurrent promote would, so this one decides and then waits for it.
    Path lock = Path.of(root, "promo", ModelRegistry.LOCK_FILE);
    Files.writeString(lock, "{\"writer\":\"the other promote\"}");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Thread[] worker = new Thread[1];
      Future<Object> promote =
          pool.submit(
              () -> {
                worker[0] = Thread.currentThread();
                try {
                  return PromoteModel.run(
                      PipelineOptionsFactory.fromArgs("--registry=" + root, "--model=promo:2")
                          .as(PromoteOptions.class));
                } catch (AliasConflictException e) {
                  return e;
                }
              });
      while (worker[0] == null || !waitsForTheLock(worker[0])) {
        Thread.sleep(5);
      }
      // The other promote, holding the lock, moves the alias to version 1 and lets go.
      Files.writeString(Path.of(root, "promo", ModelRegistry.ALIASES_FILE), "{\"champion\":\"1\"}");
      Files.writeString(
          Path.of(root, "promo", ModelRegistry.HISTORY_FILE),
          "{\"time\":\"2026-01-01T00:00:00Z\",\"alias\":\"champion\",\"toVersion\":\"1\",\"reason\":\"other\"}\n");
      Files.delete(lock);
      Object outcome = promote.get(60, TimeUnit.SECONDS);
      assertTrue(String.valueOf(outcome), outcome instanceof AliasConflictException);
      assertThat(
          ((Exception) outcome).getMessage(),
          containsString("was expected at (no version) but another writer moved it to version 1"));
    } finally {
      pool.shutdownNow();
    }
    assertEquals("1", registry.aliases("promo").get("champion"));
    assertEquals(1, registry.aliasHistory("promo").size());
  }

  private static boolean waitsForTheLock(Thread t) {
    for (StackTraceElement frame : t.getStackTrace()) {
      if (frame.getClassName().endsWith(".RegistryLock")
          && frame.getMethodName().equals("acquire")) {
        return true;
      }
    }
    return false;
  }

  interface Task {
    Object run(int i) throws Exception;
  }

  private static List<Object> atOnce(Task task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Object>> futures = new ArrayList<>();
      for (int i = 0; i < WRITERS; i++) {
        int index = i;
        Callable<Object> c =
            () -> {
              start.await();
              return task.run(index);
            };
        futures.add(pool.submit(c));
      }
      start.countDown();
      List<Object> results = new ArrayList<>();
      for (Future<Object> f : futures) {
        results.add(f.get(120, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
