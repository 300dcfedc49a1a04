package io.beamml.runners.local;

import io.beamml.serving.store.LocalRedis;
import org.junit.rules.ExternalResource;

/**
 * A real redis-server on a free loopback port for one test class: {@code @ClassRule public static
 * final RedisResource REDIS = new RedisResource();}. Stopped, and its directory removed, after the
 * class.
 */
public final class RedisResource extends ExternalResource {

  private LocalRedis redis;

  @Override
  protected void before() {
    redis = LocalRedis.start();
  }

  @Override
  protected void after() {
    if (redis != null) {
      redis.close();
      redis = null;
    }
  }

  public LocalRedis redis() {
    if (redis == null) {
      throw new IllegalStateException(
          "redis-server runs only while its test class does: use it as a @ClassRule");
    }
    return redis;
  }

  public String uri() {
    return redis().uri();
  }
}
