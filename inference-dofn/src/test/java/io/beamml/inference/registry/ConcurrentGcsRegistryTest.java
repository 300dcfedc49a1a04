package io.beamml.inference.registry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.Test;

/**
 * The store contract on {@code gs://}: many threads registering and promoting at once against an
 * in-memory Cloud Storage with real generation preconditions ({@link InMemoryGcs}), through the
 * real client and {@link GcsRegistryStorage}.
 */
public class ConcurrentGcsRegistryTest extends RegistryConcurrencyContract {

  private static final String ROOT = "gs://models-bucket/registry";

  private GcsRegistryStorage storage;

  @Override
  protected ModelRegistry newRegistry() {
    storage = new GcsRegistryStorage(InMemoryGcs.storage());
    return ModelRegistry.at(ROOT, storage);
  }

  @Override
  protected boolean lockExists(String name) throws Exception {
    return storage.read(RegistryFiles.join(ROOT, name, ModelRegistry.LOCK_FILE)) != null;
  }

  @Test
  public void gcsIsAtomicAndTheRegistryReadsBackWhatItWrote() {
    assertTrue(registry.atomicWrites());
    String v = ConcurrentWriters.registerNamingItsVersion(registry, "promo", "solo").version;
    assertEquals("1", v);
    assertNamesItsOwnVersion(v);
    registry.moveAlias("promo", "champion", v, false, "first");
    assertEquals(
        v, registry.resolve(io.beamml.inference.registry.ModelRef.parse("promo@champion")));
  }

  @Test
  public void aLockLeftByADeadWriterIsNamedNotBroken() throws Exception {
    String lock = RegistryFiles.join(ROOT, "promo", ModelRegistry.LOCK_FILE);
    storage.write(lock, "{\"writer\":\"dead\"}".getBytes(StandardCharsets.UTF_8));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> RegistryLock.acquire(storage, lock, 50));
    assertThat(e.getMessage(), startsWith("the registry lock " + lock + " has been held"));
    assertTrue(
        e.getMessage(),
        e.getMessage().contains("{\"writer\":\"dead\"}: if no train/register/promote is running"));
    assertEquals(
        "the dead writer's lock stays",
        "{\"writer\":\"dead\"}",
        new String(storage.read(lock).bytes(), StandardCharsets.UTF_8));
  }

  @Test
  public void aWriterReleasesOnlyItsOwnLock() throws Exception {
    String lock = RegistryFiles.join(ROOT, "promo", ModelRegistry.LOCK_FILE);
    RegistryLock held = RegistryLock.acquire(storage, lock, 1000);
    // Someone deletes the lock by hand and another writer takes it: the first must not free it.
    storage.deleteIfGeneration(lock, storage.read(lock).generation());
    RegistryLock other = RegistryLock.acquire(storage, lock, 1000);
    held.close();
    assertTrue("the second writer's lock survives the first one's release", lockExists("promo"));
    other.close();
    assertTrue(!lockExists("promo"));
  }
}
