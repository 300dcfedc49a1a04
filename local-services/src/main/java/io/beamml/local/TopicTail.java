package io.beamml.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A consumer thread that reads a topic from its beginning and keeps every record (key, value,
 * timestamp): how the demo counts predictions, the benchmark times them and tests check them.
 */
public final class TopicTail implements AutoCloseable {

  /** One record as read: its key, value, Kafka timestamp (ms) and partition. */
  public record Received(String key, String value, long timestamp, int partition) {}

  private final KafkaConsumer<String, String> consumer;
  private final Thread thread;
  private final List<Received> records = new ArrayList<>();
  private final AtomicLong count = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean stopping;

  private TopicTail(String bootstrapServers, String topic, boolean readCommitted) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "tail-" + topic + "-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    if (readCommitted) {
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    this.consumer = new KafkaConsumer<>(props);
    this.consumer.subscribe(List.of(topic));
    this.thread = new Thread(this::run, "tail-" + topic);
    this.thread.setDaemon(true);
  }

  public static TopicTail start(String bootstrapServers, String topic) {
    return start(bootstrapServers, topic, false);
  }

  /**
   * With {@code readCommitted}, reads as a {@code read_committed} consumer: records of a Kafka
   * transaction only once it committed, never those of an aborted one (what readers of an
   * exactly-once stream see).
   */
  public static TopicTail start(String bootstrapServers, String topic, boolean readCommitted) {
    TopicTail tail = new TopicTail(bootstrapServers, topic, readCommitted);
    tail.thread.start();
    return tail;
  }

  public long count() {
    return count.get();
  }

  /** A copy of the records read so far. */
  public List<Received> records() {
    checkHealthy();
    synchronized (records) {
      return new ArrayList<>(records);
    }
  }

  /** Waits until at least {@code n} records were read; false when the time ran out first. */
  public boolean awaitCount(long n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count.get() < n) {
      checkHealthy();
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  /**
   * Waits until no record arrived for {@code quiet} (after at least one poll), or the time ran out;
   * returns the count then.
   */
  public long awaitQuiet(Duration quiet, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = -1;
    long lastChange = System.nanoTime();
    while (System.nanoTime() < deadline) {
      checkHealthy();
      long now = count.get();
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > quiet.toNanos()) {
        break;
      }
      Thread.sleep(50);
    }
    return count.get();
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    consumer.wakeup();
    thread.join(10_000);
  }

  private void checkHealthy() {
    if (failure.get() != null) {
      throw new IllegalStateException(
          "reading the topic failed: " + failure.get().getMessage(), failure.get());
    }
  }

  private void run() {
    try {
      while (!stopping) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
          synchronized (records) {
            records.add(new Received(r.key(), r.value(), r.timestamp(), r.partition()));
          }
          count.incrementAndGet();
        }
      }
    } catch (WakeupException closing) {
      // close() interrupts the poll.
    } catch (RuntimeException e) {
      failure.set(e);
    } finally {
      consumer.close();
    }
  }
}
