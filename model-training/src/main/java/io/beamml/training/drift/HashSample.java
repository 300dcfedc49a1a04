package io.beamml.training.drift;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A bounded sample of values that is the same however the input is split and merged: it keeps the
 * values of the {@code capacity} rows with the smallest hashes (bottom-k sampling). Hashes of row
 * identities are uniform and independent of the values, so the kept values are a uniform random
 * sample, and two runs over the same rows keep the same sample on any runner.
 */
final class HashSample implements Serializable {

  private final int capacity;

  /** A max-heap on hash over the first {@code size} slots: the root is the first to give way. */
  private final long[] hashes;

  private final double[] values;
  private int size;

  HashSample(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException(
          "a sample holds at least one value, got capacity " + capacity);
    }
    this.capacity = capacity;
    this.hashes = new long[capacity];
    this.values = new double[capacity];
  }

  int capacity() {
    return capacity;
  }

  int size() {
    return size;
  }

  long hashAt(int i) {
    return hashes[i];
  }

  double valueAt(int i) {
    return values[i];
  }

  void add(long hash, double value) {
    if (size < capacity) {
      hashes[size] = hash;
      values[size] = value;
      siftUp(size++);
    } else if (before(hash, value, hashes[0], values[0])) {
      hashes[0] = hash;
      values[0] = value;
      siftDown(0);
    }
  }

  void merge(HashSample other) {
    for (int i = 0; i < other.size; i++) {
      add(other.hashes[i], other.values[i]);
    }
  }

  /** The kept values in ascending order. */
  double[] sortedValues() {
    double[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    return sorted;
  }

  /**
   * Total order on (hash, value), so equal hashes cannot make the kept set depend on arrival order.
   */
  private static boolean before(long h1, double v1, long h2, double v2) {
    int c = Long.compareUnsigned(h1, h2);
    return c < 0 || (c == 0 && Double.compare(v1, v2) < 0);
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (!before(hashes[parent], values[parent], hashes[i], values[i])) {
        return;
      }
      swap(i, parent);
      i = parent;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int left = 2 * i + 1;
      if (left >= size) {
        return;
      }
      int largest = left;
      int right = left + 1;
      if (right < size && before(hashes[left], values[left], hashes[right], values[right])) {
        largest = right;
      }
      if (!before(hashes[i], values[i], hashes[largest], values[largest])) {
        return;
      }
      swap(i, largest);
      i = largest;
    }
  }

  private void swap(int a, int b) {
    long h = hashes[a];
    hashes[a] = hashes[b];
    hashes[b] = h;
    double v = values[a];
    values[a] = values[b];
    values[b] = v;
  }

  /** A 64-bit hash of a row identity: FNV-1a over the characters, then a SplitMix64 finish. */
  static long hash(String key) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < key.length(); i++) {
      h ^= key.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return h;
  }
}
