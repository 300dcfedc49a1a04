package io.beamml.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A real Kafka broker inside this JVM, so tests and the streaming demo need no installed Kafka and
 * no Docker: one KRaft node acting as broker and controller, listening on a free loopback port, its
 * logs in a temporary folder that {@link #close()} deletes.
 *
 * <p>Sized for one broker: the internal offsets and transaction-state topics have replication
 * factor 1 (so exactly-once sinks work), and consumer groups rebalance without the usual delay.
 *
 * <p>{@link #stop()} and {@link #restart()} take the broker down and bring it back for outage
 * tests: its client port is fixed at start, so clients reconnect to the same address, and its log
 * directory (topics, committed offsets, transaction state) is kept. The KRaft controller keeps
 * running meanwhile, as a separate controller quorum would.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final long TOPIC_TIMEOUT_SECONDS = 30;

  private final KafkaClusterTestKit cluster;
  private final String bootstrapServers;

  /** The combined broker-and-controller node's id in Kafka's test kit (its first broker). */
  private static final int NODE_ID = TestKitNodes.BROKER_ID_OFFSET;

  private static final int START_ATTEMPTS = 3;

  private EmbeddedKafkaBroker(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
    this.bootstrapServers = cluster.bootstrapServers();
  }

  /**
   * Formats, starts and waits for a one-node KRaft cluster; about 1.5 s. The client port is picked
   * free beforehand (and picked again should another process take it first).
   */
  public static EmbeddedKafkaBroker start() {
    IllegalStateException failure = null;
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      try {
        return start(freePort());
      } catch (IllegalStateException e) {
        if (failure != null) {
          e.addSuppressed(failure);
        }
        failure = e;
      }
    }
    throw failure;
  }

  private static EmbeddedKafkaBroker start(int port) {
    KafkaClusterTestKit cluster = null;
    try {
      TestKitNodes nodes =
          new TestKitNodes.Builder()
              .setCombined(true)
              .setNumBrokerNodes(1)
              .setNumControllerNodes(1)
              .setPerServerProperties(
                  Map.of(
                      NODE_ID,
                      Map.of(
                          "listeners",
                          "EXTERNAL://localhost:" + port + ",CONTROLLER://localhost:0")))
              .build();
      cluster =
          new KafkaClusterTestKit.Builder(nodes)
              .setConfigProp("offsets.topic.replication.factor", "1")
              .setConfigProp("offsets.topic.num.partitions", "1")
              .setConfigProp("transaction.state.log.replication.factor", "1")
              .setConfigProp("transaction.state.log.min.isr", "1")
              .setConfigProp("min.insync.replicas", "1")
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .setConfigProp("auto.create.topics.enable", "false")
              .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafkaBroker(cluster);
    } catch (Exception e) {
      if (cluster != null) {
        closeQuietly(cluster, e);
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "Could not start the embedded Kafka broker: " + e.getMessage(), e);
    }
  }

  /** The {@code bootstrap.servers} value clients use, e.g. {@code localhost:41234}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Creates a topic with replication factor 1 and waits until the broker has it. */
  public void createTopic(String name, int partitions) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("topic name must not be empty");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
    Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
      admin
          .createTopics(Collections.singleton(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(TOPIC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      // The controller has the topic; the broker learns of it asynchronously. Producers and
      // KafkaIO's partition discovery need every partition led before they start.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TOPIC_TIMEOUT_SECONDS);
      while (!allPartitionsLed(admin, name, partitions)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "topic " + name + " has no leader for all " + partitions + " partitions");
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Could not create topic " + name + ": " + e.getMessage(), e);
    }
  }

  private static boolean allPartitionsLed(Admin admin, String name, int partitions)
      throws InterruptedException, ExecutionException {
    TopicDescription description;
    try {
      description =
          admin.describeTopics(Collections.singleton(name)).allTopicNames().get().get(name);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw e;
    }
    return description.partitions().size() == partitions
        && description.partitions().stream()
            .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
  }

  /**
   * Takes the broker down as a broker restart would (its listener closes, clients lose their
   * connections and coordinators), keeping its data for {@link #restart()}.
   */
  public synchronized void stop() {
    for (BrokerServer broker : cluster.brokers().values()) {
      broker.shutdown();
      broker.awaitShutdown();
    }
  }

  /**
   * Starts the broker stopped by {@link #stop()} again on the same port and log directory, and
   * waits until it answers clients and leads every partition again.
   */
  public synchronized void restart() {
    for (BrokerServer broker : cluster.brokers().values()) {
      broker.startup();
    }
    Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TOPIC_TIMEOUT_SECONDS);
    try (Admin admin = Admin.create(props)) {
      while (true) {
        try {
          java.util.Set<String> topics = admin.listTopics().names().get(2, TimeUnit.SECONDS);
          boolean led = true;
          for (TopicDescription d :
              admin.describeTopics(topics).allTopicNames().get(2, TimeUnit.SECONDS).values()) {
            led &=
                d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
          }
          if (led) {
            return;
          }
        } catch (ExecutionException | TimeoutException notYet) {
          // The broker is still starting.
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the restarted broker did not lead its partitions within "
                  + Duration.ofSeconds(TOPIC_TIMEOUT_SECONDS));
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while restarting the broker", e);
    }
  }

  /** Stops the broker and deletes its data. */
  @Override
  public void close() {
    try {
      cluster.close();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "Could not stop the embedded Kafka broker: " + e.getMessage(), e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("localhost", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("Could not find a free port for the broker", e);
    }
  }

  private static void closeQuietly(KafkaClusterTestKit cluster, Exception primary) {
    try {
      cluster.close();
    } catch (Exception suppressed) {
      primary.addSuppressed(suppressed);
    }
  }
}
