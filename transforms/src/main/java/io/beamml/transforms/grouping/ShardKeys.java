package io.beamml.transforms.grouping;

/**
 * Maps a string key to one of a fixed number of shards, the same way on every JVM.
 *
 * <p>Batch steps that group by a high-cardinality key (an event id, a customer) group by the
 * shard instead and finish the grouping in memory. On distributed runners that costs nothing
 * (each shard still spreads over workers); on the Direct runner, which pays a fixed cost for every
 * distinct key it groups, it turns a million tiny groups into a few hundred.
 */
public final class ShardKeys {

  /** Shards used when a transform is not told otherwise. */
  public static final int DEFAULT_SHARDS = 256;

  private ShardKeys() {}

  public static int shardOf(String key, int shards) {
    return Math.floorMod(key.hashCode(), shards);
  }

  public static int checkShards(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1, got " + shards);
    }
    return shards;
  }
}
