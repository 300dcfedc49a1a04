package io.beamml.inference.registry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Many writers on one local registry directory at once: the store contract with threads of one JVM,
 * plus separate processes and a lock left by a dead writer.
 */
public class ConcurrentRegistryTest extends RegistryConcurrencyContract {

  @Rule public TemporaryFolder folder = new TemporaryFolder();

  private String root;

  @Override
  protected ModelRegistry newRegistry() throws Exception {
    root = folder.newFolder("registry").getAbsolutePath();
    return ModelRegistry.at(root);
  }

  @Override
  protected boolean lockExists(String name) {
    return Files.exists(Path.of(root, name, ModelRegistry.LOCK_FILE));
  }

  @Test
  public void localFilesAreAtomic() {
    assertTrue(registry.atomicWrites());
  }

  @Test
  public void aLockLeftByADeadWriterIsNamedNotBroken() throws Exception {
    Path lock = Path.of(root, "promo", ModelRegistry.LOCK_FILE);
    Files.createDirectories(lock.getParent());
    Files.writeString(lock, "{\"writer\":\"dead\"}");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> RegistryLock.acquire(RegistryStorage.forRoot(root), lock.toString(), 50));
    assertThat(e.getMessage(), startsWith("the registry lock " + lock + " has been held"));
    assertTrue(
        e.getMessage(),
        e.getMessage().contains("{\"writer\":\"dead\"}: if no train/register/promote is running"));
    assertTrue("the dead writer's lock stays", Files.exists(lock));
  }

  @Test
  public void twoProcessesRegisteringAndPromotingAtOnce() throws Exception {
    int perProcess = 6;
    List<Process> processes = new ArrayList<>();
    for (String writer : List.of("jvm-a", "jvm-b")) {
      processes.add(
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx128m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  ConcurrentWriters.class.getName(),
                  root,
                  "promo",
                  writer,
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
}
