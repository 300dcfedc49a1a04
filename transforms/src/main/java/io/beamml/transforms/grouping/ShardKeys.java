package io.beamml.transforms.grouping;

/**
 * Maps a string key to one of a fixed number of shards, the same way on every JVM.
 *
 * <p>An opt-in of the batch steps that group by a high-cardinality key (an event id, a customer),
 * for the Direct runner only: it pays a fixed cost for every distinct key it groups (about 60x
 * slower per event by key than by 16 shards), so there they group by shard and finish the grouping
 * in memory, a shard's records at a time. Never on a distributed runner: a shard's records grow
 * with the input.
 */
public final class ShardKeys {

  private ShardKeys() {}

  public static int shardOf(String key, int shards) {
    return Math.floorMod(key.hashCode(), shards);
  }

  /** 0 (group by the key itself, the default) or a number of shards. */
  public static int checkShards(int shards) {
    if (shards < 0) {
      throw new IllegalArgumentException("shards must be 0 (group by key) or more, got " + shards);
    }
    return shards;
  }
}
