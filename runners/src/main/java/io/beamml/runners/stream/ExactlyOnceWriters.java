package io.beamml.runners.stream;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases the transactional Kafka producers Beam's exactly-once sink keeps per JVM. Beam 2.70
 * caches each shard's writer in a static map by sink group (closed only after a minute idle); a job
 * cancelled in the middle of a transaction leaves its writer there still in that transaction, and
 * on embedded Flink (which loads job classes from the application's class loader) the next job of
 * the same sink group in this JVM would take it over and fail ("Invalid transition attempted from
 * state IN_TRANSACTION"). Closing them aborts those transactions, which the restored job writes
 * again from its checkpoint. A job on a cluster is unaffected: each job has its own class loader
 * there, and the new process of a restarted CLI run starts with an empty map.
 */
final class ExactlyOnceWriters {

  private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceWriters.class);
  private static final String WRITER =
      "org.apache.beam.sdk.io.kafka.KafkaExactlyOnceSink$ExactlyOnceWriter";

  private ExactlyOnceWriters() {}

  /** Closes and forgets every cached writer of this JVM; a no-op when there are none. */
  static void releaseAll() {
    try {
      Field byGroupField = Class.forName(WRITER).getDeclaredField("CACHE_BY_GROUP_ID");
      byGroupField.setAccessible(true);
      Object byGroup = byGroupField.get(null);
      for (Object shardCache : asMap(byGroup).values()) {
        Field cacheField = shardCache.getClass().getDeclaredField("cache");
        cacheField.setAccessible(true);
        Object cache = cacheField.get(shardCache);
        for (Object writer : asMap(cache).values()) {
          Field producerField = writer.getClass().getDeclaredField("producer");
          producerField.setAccessible(true);
          ((Producer<?, ?>) producerField.get(writer)).close(Duration.ofSeconds(5));
        }
        invoke(cache, "invalidateAll");
      }
      invoke(byGroup, "invalidateAll");
    } catch (ClassNotFoundException noKafkaSink) {
      // Nothing was ever cached.
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn(
          "Could not release Beam's cached exactly-once Kafka writers (has KafkaExactlyOnceSink changed?);"
              + " a job of the same sink group started next in this JVM may fail: {}",
          e.toString());
    }
  }

  private static Map<?, ?> asMap(Object guavaCache) throws ReflectiveOperationException {
    return (Map<?, ?>) invoke(guavaCache, "asMap");
  }

  private static Object invoke(Object target, String method) throws ReflectiveOperationException {
    for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
      for (Class<?> iface : type.getInterfaces()) {
        try {
          Method m = iface.getMethod(method);
          return m.invoke(target);
        } catch (NoSuchMethodException next) {
          // try the next interface
        }
      }
    }
    Method m = target.getClass().getMethod(method);
    m.setAccessible(true);
    return m.invoke(target);
  }
}
