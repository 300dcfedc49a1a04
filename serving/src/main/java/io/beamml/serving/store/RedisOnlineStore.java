package io.beamml.serving.store;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.transforms.features.FeatureCalculator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;

/**
 * The online feature store in Redis ({@link OnlineStoreConfig} has the layout), through a pooled
 * Jedis client. Writes go in pipelines (one round trip per batch) and are idempotent: an event is
 * added by a Lua script that adds its deterministic encoding to the customer's sorted set, drops
 * every event at or before the newest event time minus the longest window, records the spec
 * fingerprint and renews both keys' TTL, so the same events written in any order, any number of
 * times, leave the same contents. A read of one customer is one pipelined round trip. Thread safe.
 */
public final class RedisOnlineStore implements AutoCloseable {

  /** KEYS: events, customer. ARGV: event time, encoded event, longest window, fingerprint, TTL. */
  private static final byte[] ADD_EVENT =
      ("redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])\n"
              + "local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')\n"
              + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', tonumber(newest[2]) - tonumber(ARGV[3])))\n"
              + "redis.call('HSET', KEYS[2], 'spec', ARGV[4])\n"
              + "redis.call('EXPIRE', KEYS[1], ARGV[5])\n"
              + "redis.call('EXPIRE', KEYS[2], ARGV[5])\n"
              + "return 1")
          .getBytes(StandardCharsets.UTF_8);

  private static final byte[] PROFILE =
      OnlineStoreConfig.PROFILE_FIELD.getBytes(StandardCharsets.UTF_8);
  private static final byte[] SPEC = OnlineStoreConfig.SPEC_FIELD.getBytes(StandardCharsets.UTF_8);

  private final OnlineStoreConfig config;
  private final JedisPooled jedis;
  private final byte[] window;
  private final byte[] fingerprint;
  private final byte[] ttl;

  private RedisOnlineStore(OnlineStoreConfig config, JedisPooled jedis) {
    this.config = config;
    this.jedis = jedis;
    this.window = Long.toString(config.maxWindowMillis()).getBytes(StandardCharsets.UTF_8);
    this.fingerprint = config.specFingerprint().getBytes(StandardCharsets.UTF_8);
    this.ttl = Long.toString(config.ttlSeconds()).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Connects (lazily: the first command opens a connection) with a pool of {@code maxConnections}.
   */
  public static RedisOnlineStore connect(
      OnlineStoreConfig config, int maxConnections, int timeoutMillis) {
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(maxConnections);
    pool.setMaxIdle(maxConnections);
    pool.setMinIdle(Math.min(2, maxConnections));
    pool.setJmxEnabled(false);
    return new RedisOnlineStore(
        config, new JedisPooled(pool, URI.create(config.uri()), timeoutMillis));
  }

  public static RedisOnlineStore connect(OnlineStoreConfig config) {
    return connect(config, 16, 2000);
  }

  public OnlineStoreConfig config() {
    return config;
  }

  /** Adds events to their customers' histories in one pipeline. */
  public void writeEvents(List<CustomerEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try (Pipeline p = jedis.pipelined()) {
      for (CustomerEvent e : events) {
        String key = e.getCustomerKey();
        p.eval(
            ADD_EVENT,
            List.of(config.eventsKey(key), config.customerKey(key)),
            List.of(
                Long.toString(e.getEventTime()).getBytes(StandardCharsets.UTF_8),
                RecordCodec.event(e),
                window,
                fingerprint,
                ttl));
      }
      p.sync();
    }
  }

  /** Sets profiles (a profile replaces the customer's previous one) in one pipeline. */
  public void writeProfiles(List<CustomerProfile> profiles) {
    if (profiles.isEmpty()) {
      return;
    }
    try (Pipeline p = jedis.pipelined()) {
      for (CustomerProfile profile : profiles) {
        byte[] key = config.customerKey(profile.getCustomerKey());
        p.hset(key, Map.of(PROFILE, RecordCodec.profile(profile), SPEC, fingerprint));
        p.expire(key, config.ttlSeconds());
      }
      p.sync();
    }
  }

  /** One customer's stored state, in one round trip. */
  public StoredCustomer read(String customerKey) {
    return readAll(List.of(customerKey)).get(0);
  }

  /** Several customers' stored states, in one round trip, in the order asked. */
  public List<StoredCustomer> readAll(List<String> customerKeys) {
    List<Response<List<byte[]>>> events = new ArrayList<>(customerKeys.size());
    List<Response<Map<byte[], byte[]>>> customers = new ArrayList<>(customerKeys.size());
    try (Pipeline p = jedis.pipelined()) {
      for (String key : customerKeys) {
        events.add(p.zrange(config.eventsKey(key), 0, -1));
        customers.add(p.hgetAll(config.customerKey(key)));
      }
      p.sync();
    }
    List<StoredCustomer> out = new ArrayList<>(customerKeys.size());
    for (int i = 0; i < customerKeys.size(); i++) {
      out.add(decode(customerKeys.get(i), events.get(i).get(), customers.get(i).get()));
    }
    return out;
  }

  /** The same round trip as {@link #read} without decoding: the floor a scoring request sits on. */
  public int readRawBytes(String customerKey) {
    Response<List<byte[]>> events;
    Response<Map<byte[], byte[]>> customer;
    try (Pipeline p = jedis.pipelined()) {
      events = p.zrange(config.eventsKey(customerKey), 0, -1);
      customer = p.hgetAll(config.customerKey(customerKey));
      p.sync();
    }
    int bytes = 0;
    for (byte[] e : events.get()) {
      bytes += e.length;
    }
    for (byte[] v : customer.get().values()) {
      bytes += v.length;
    }
    return bytes;
  }

  private static StoredCustomer decode(
      String customerKey, List<byte[]> encodedEvents, Map<byte[], byte[]> hash) {
    if (encodedEvents.isEmpty() && hash.isEmpty()) {
      return StoredCustomer.UNKNOWN;
    }
    List<CustomerEvent> events = new ArrayList<>(encodedEvents.size());
    for (byte[] e : encodedEvents) {
      events.add(RecordCodec.event(e, customerKey));
    }
    CustomerProfile profile = null;
    String spec = null;
    for (Map.Entry<byte[], byte[]> field : hash.entrySet()) {
      if (Arrays.equals(field.getKey(), PROFILE)) {
        profile = RecordCodec.profile(field.getValue());
      } else if (Arrays.equals(field.getKey(), SPEC)) {
        spec = new String(field.getValue(), StandardCharsets.UTF_8);
      }
    }
    // The sorted set orders ties by encoded bytes; the calculator's order breaks them by event id.
    return new StoredCustomer(FeatureCalculator.sortedByTime(events), profile, spec);
  }

  /** True when Redis answers a PING. */
  public boolean ping() {
    try {
      return "PONG".equals(jedis.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Every key under the prefix with its contents in a comparable form (sorted sets as "score
   * hex-member" lines, hashes as field to hex value): to compare two stores' contents and to scan
   * them, not for serving.
   */
  public Map<String, List<String>> snapshot() {
    Map<String, List<String>> out = new TreeMap<>();
    ScanParams params = new ScanParams().match(config.prefix() + "*").count(1000);
    String cursor = ScanParams.SCAN_POINTER_START;
    HexFormat hex = HexFormat.of();
    do {
      ScanResult<String> page = jedis.scan(cursor, params);
      for (String key : page.getResult()) {
        List<String> contents = new ArrayList<>();
        String type = jedis.type(key);
        if (type.equals("zset")) {
          for (Tuple t : jedis.zrangeWithScores(key.getBytes(StandardCharsets.UTF_8), 0, -1)) {
            contents.add(
                String.format("%.0f %s", t.getScore(), hex.formatHex(t.getBinaryElement())));
          }
        } else if (type.equals("hash")) {
          for (Map.Entry<byte[], byte[]> f :
              jedis.hgetAll(key.getBytes(StandardCharsets.UTF_8)).entrySet()) {
            contents.add(
                new String(f.getKey(), StandardCharsets.UTF_8) + "=" + hex.formatHex(f.getValue()));
          }
          contents.sort(null);
        } else {
          contents.add(type);
        }
        out.put(key, contents);
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return out;
  }

  /** Seconds the key has left to live (-1 none, -2 missing): for tests. */
  public long ttlSeconds(byte[] key) {
    return jedis.ttl(key);
  }

  @Override
  public void close() {
    jedis.close();
  }
}
