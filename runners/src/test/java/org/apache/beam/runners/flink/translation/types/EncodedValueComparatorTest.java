package org.apache.beam.runners.flink.translation.types;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.util.ReleaseInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.junit.Test;

/**
 * The replacement comparator is the one loaded, for the Beam version it was written against, and
 * its five views of one order (objects, serialized bytes, references, normalized keys, descending)
 * agree: Flink's sort, merge and group iteration each use a different one, and a disagreement would
 * split a key's group.
 */
public class EncodedValueComparatorTest {

  private static final Random RANDOM = new Random(20261207);

  @Test
  public void replacesTheComparatorOfTheBeamVersionItWasWrittenFor() {
    // A Beam upgrade must revisit this class: its original may have changed or gained normalized
    // keys of its own.
    assertEquals("2.70.0", ReleaseInfo.getReleaseInfo().getVersion());
    assertTrue(new EncodedValueComparator(true).supportsNormalizedKey());
    assertFalse(
        "loaded from Beam's jar, not from the runners module",
        EncodedValueComparator.class
            .getProtectionDomain()
            .getCodeSource()
            .getLocation()
            .toString()
            .contains("beam-runners-flink"));
  }

  @Test
  public void everyViewOfTheOrderAgrees() throws Exception {
    List<byte[]> keys = keys();
    EncodedValueComparator ascending = new EncodedValueComparator(true);
    EncodedValueComparator descending = new EncodedValueComparator(false);
    for (int i = 0; i < 4000; i++) {
      byte[] a = keys.get(RANDOM.nextInt(keys.size()));
      byte[] b = keys.get(RANDOM.nextInt(keys.size()));
      int order = Integer.signum(ascending.compare(a, b));

      assertEquals(Arrays.equals(a, b), order == 0);
      assertEquals(-order, Integer.signum(ascending.compare(b, a)));
      assertEquals(-order, Integer.signum(descending.compare(a, b)));
      assertEquals(
          order, Integer.signum(ascending.compareSerialized(serialized(a), serialized(b))));

      EncodedValueComparator left = (EncodedValueComparator) ascending.duplicate();
      EncodedValueComparator right = (EncodedValueComparator) ascending.duplicate();
      left.setReference(a);
      right.setReference(b);
      // Flink's contract: this comparator's reference against the given one's, inverted.
      assertEquals(order, Integer.signum(right.compareToReference(left)));
      assertEquals(order == 0, left.equalToReference(b));

      int byNormalizedKey =
          Integer.signum(normalized(ascending, a).compareTo(normalized(ascending, b)));
      if (byNormalizedKey != 0) {
        assertEquals("the normalized key decides as the full order does", order, byNormalizedKey);
      }
      assertEquals(Arrays.hashCode(a), ascending.hash(a));
    }
    assertTrue(descending.invertNormalizedKey());
    assertFalse(ascending.invertNormalizedKey());
  }

  @Test
  public void keysSharingALongPrefixAreToldApartByTheirNormalizedKey() {
    EncodedValueComparator comparator = new EncodedValueComparator(true);
    byte[] a = "E0000683397".getBytes(StandardCharsets.UTF_8);
    byte[] b = "E0000683398".getBytes(StandardCharsets.UTF_8);
    assertTrue(normalized(comparator, a).compareTo(normalized(comparator, b)) != 0);
    assertArrayEquals(normalized(comparator, a).bytes, normalized(comparator, a.clone()).bytes);
  }

  /** Keys with shared prefixes, different lengths, negative bytes, and repeats. */
  private static List<byte[]> keys() {
    List<byte[]> keys = new ArrayList<>();
    keys.add(new byte[0]);
    for (int i = 0; i < 200; i++) {
      keys.add(("E0000" + (683390 + i % 20)).getBytes(StandardCharsets.UTF_8));
      byte[] random = new byte[RANDOM.nextInt(12)];
      RANDOM.nextBytes(random);
      keys.add(random);
      keys.add(Arrays.copyOf(random, random.length + 1));
    }
    return keys;
  }

  /** The key as Beam's {@code EncodedValueSerializer} writes it: its length, then its bytes. */
  private static DataInputDeserializer serialized(byte[] key) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(16);
    out.writeInt(key.length);
    out.write(key);
    return new DataInputDeserializer(out.getCopyOfBuffer());
  }

  private static Normalized normalized(EncodedValueComparator comparator, byte[] key) {
    MemorySegment segment = MemorySegmentFactory.wrap(new byte[comparator.getNormalizeKeyLen()]);
    comparator.putNormalizedKey(key, segment, 0, comparator.getNormalizeKeyLen());
    return new Normalized(segment.getArray());
  }

  /** Normalized key bytes in Flink's order: unsigned, byte by byte. */
  private static final class Normalized implements Comparable<Normalized> {
    final byte[] bytes;

    Normalized(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int compareTo(Normalized other) {
      return Arrays.compareUnsigned(bytes, other.bytes);
    }
  }
}
