package io.beamml.inference.registry;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import org.junit.Test;

/** The GCS store's primitives map to Cloud Storage preconditions, against {@link InMemoryGcs}. */
public class GcsRegistryStorageTest {

  private final GcsRegistryStorage storage = new GcsRegistryStorage(InMemoryGcs.storage());

  @Test
  public void createIfAbsentIsIfGenerationMatchZero() throws Exception {
    String path = "gs://b/reg/promo/versions/1/claim.json";
    OptionalLong first = storage.writeIfGeneration(path, bytes("mine"), RegistryStorage.ABSENT);
    assertTrue(first.isPresent());
    assertTrue(
        "a rival's create fails",
        storage.writeIfGeneration(path, bytes("rival"), RegistryStorage.ABSENT).isEmpty());
    RegistryStorage.Versioned read = storage.read(path);
    assertArrayEquals(bytes("mine"), read.bytes());
    assertEquals(first.getAsLong(), read.generation());
  }

  @Test
  public void aFailedPreconditionOverThisWritersOwnBytesIsItsRetriedWrite() throws Exception {
    // The client retries a create whose first attempt landed; the retry then sees its own object.
    String path = "gs://b/reg/promo/registry.lock";
    long first =
        storage.writeIfGeneration(path, bytes("nonce-1"), RegistryStorage.ABSENT).getAsLong();
    assertEquals(
        first,
        storage.writeIfGeneration(path, bytes("nonce-1"), RegistryStorage.ABSENT).getAsLong());
  }

  @Test
  public void replaceAtAGenerationIsCompareAndSet() throws Exception {
    String path = "gs://b/reg/promo/aliases.json";
    long g1 =
        storage
            .writeIfGeneration(path, bytes("{\"champion\":\"1\"}"), RegistryStorage.ABSENT)
            .getAsLong();
    long g2 = storage.writeIfGeneration(path, bytes("{\"champion\":\"2\"}"), g1).getAsLong();
    assertNotEquals(g1, g2);
    assertTrue(
        "a writer that read g1 cannot overwrite g2",
        storage.writeIfGeneration(path, bytes("{\"champion\":\"3\"}"), g1).isEmpty());
    assertArrayEquals(bytes("{\"champion\":\"2\"}"), storage.read(path).bytes());
    assertFalse(storage.deleteIfGeneration(path, g1));
    assertTrue(storage.deleteIfGeneration(path, g2));
    assertNull(storage.read(path));
  }

  @Test
  public void listMatchesAGlobWithinOneSegment() throws Exception {
    for (String p :
        List.of(
            "promo/versions/1/metadata.json",
            "promo/versions/2/metadata.json",
            "promo/versions/3/claim.json",
            "promo/versions/4/deeper/metadata.json",
            "other/versions/1/metadata.json")) {
      storage.write("gs://b/reg/" + p, bytes("{}"));
    }
    assertEquals(
        List.of(
            "gs://b/reg/promo/versions/1/metadata.json",
            "gs://b/reg/promo/versions/2/metadata.json"),
        storage.list("gs://b/reg/promo/versions/*/metadata.json"));
  }

  @Test
  public void theStoreIsChosenByTheRootsScheme() {
    assertTrue(RegistryStorage.forRoot("/tmp/reg") instanceof LocalRegistryStorage);
    assertTrue(RegistryStorage.forRoot("file:///tmp/reg") instanceof LocalRegistryStorage);
    assertTrue(RegistryStorage.forRoot("s3://b/reg") instanceof FileSystemsRegistryStorage);
    assertFalse(RegistryStorage.forRoot("s3://b/reg").atomicCreate());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
