package io.beamml.local;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A producer thread that sends replayed events to the clicks and orders topics at a steady rate,
 * each keyed by its event (or order) id, so copies of one event share a partition. Live mode
 * rewrites each message's time to the moment it is sent, as if the events were happening now.
 */
public final class EventFeed implements AutoCloseable {

  private final Thread thread;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean stopping;

  private EventFeed(
      String bootstrapServers,
      String clicksTopic,
      String ordersTopic,
      List<ReplayEvents.Message> messages,
      double perSecond,
      boolean live) {
    this.thread =
        new Thread(
            () -> run(bootstrapServers, clicksTopic, ordersTopic, messages, perSecond, live),
            "event-feed");
    this.thread.setDaemon(true);
  }

  /**
   * Starts sending {@code messages} in order, {@code perSecond} of them a second (0 = as fast as
   * the producer takes them), until all are sent or the feed is closed.
   */
  public static EventFeed start(
      String bootstrapServers,
      String clicksTopic,
      String ordersTopic,
      List<ReplayEvents.Message> messages,
      double perSecond,
      boolean live) {
    if (perSecond < 0) {
      throw new IllegalArgumentException(
          "rate must be 0 (unthrottled) or positive, got " + perSecond);
    }
    EventFeed feed =
        new EventFeed(bootstrapServers, clicksTopic, ordersTopic, messages, perSecond, live);
    feed.thread.start();
    return feed;
  }

  /** Messages acknowledged by the broker so far. */
  public long sent() {
    return sent.get();
  }

  /** Waits until every message was sent (or the feed was closed); rethrows a producer failure. */
  public void await(Duration timeout) throws InterruptedException {
    thread.join(timeout.toMillis());
    if (failure.get() != null) {
      throw new IllegalStateException(
          "the event feed failed: " + failure.get().getMessage(), failure.get());
    }
    if (thread.isAlive()) {
      throw new IllegalStateException("the event feed did not finish within " + timeout);
    }
  }

  public boolean finished() {
    return !thread.isAlive();
  }

  /** Stops sending and waits for the producer to flush what it has. */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.join(30_000);
  }

  private void run(
      String bootstrapServers,
      String clicksTopic,
      String ordersTopic,
      List<ReplayEvents.Message> messages,
      double perSecond,
      boolean live) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    long start = System.nanoTime();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < messages.size() && !stopping; i++) {
        if (perSecond > 0) {
          long due = start + (long) (i * 1e9 / perSecond);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
        ReplayEvents.Message m =
            live ? messages.get(i).at(System.currentTimeMillis()) : messages.get(i);
        String topic = m.kind() == ReplayEvents.Kind.CLICK ? clicksTopic : ordersTopic;
        producer.send(
            new ProducerRecord<>(topic, m.id(), m.value()),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              } else {
                sent.incrementAndGet();
              }
            });
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }
}
