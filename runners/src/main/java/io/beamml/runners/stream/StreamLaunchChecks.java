package io.beamml.runners.stream;

import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.pipelines.stream.StreamSinks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code ./pipeline stream} refuses before it starts, so a user cannot get the delivery
 * guarantee or a restart wrong by accident (each refusal is an {@link IllegalArgumentException}:
 * exit code 2, one line saying what to do).
 *
 * <ul>
 *   <li>{@code --deliveryGuarantee=exactly_once} needs Flink with checkpointing and the Kafka sink:
 *       the transactions commit when a checkpoint completes; files and BigQuery are not
 *       transactional here.
 *   <li>A job started without a savepoint or checkpoint to restore, for a consumer group that has
 *       committed offsets, would resume reading there with empty state: the old job's Dedup memory,
 *       feature histories and rows waiting for the watermark would be lost silently. It is refused
 *       unless {@code --fromOffsets} says that loss is meant (then logged as a warning).
 * </ul>
 */
public final class StreamLaunchChecks {

  private static final Logger LOG = LoggerFactory.getLogger(StreamLaunchChecks.class);

  private StreamLaunchChecks() {}

  /** Runs every check; throws {@link IllegalArgumentException} for a refused start. */
  public static void check(StreamOptions options) {
    checkDeliveryGuarantee(options);
    checkRestart(options);
  }

  static void checkDeliveryGuarantee(StreamOptions options) {
    if (options.getDeliveryGuarantee() != StreamOptions.DeliveryGuarantee.exactly_once) {
      return;
    }
    if (!FlinkRunner.class.equals(options.getRunner())) {
      throw new IllegalArgumentException(
          "--deliveryGuarantee=exactly_once runs on Flink only (its Kafka transactions"
              + " commit on Flink checkpoints); use --runner=FlinkRunner");
    }
    Long interval = options.as(FlinkPipelineOptions.class).getCheckpointingInterval();
    if (interval == null || interval <= 0) {
      throw new IllegalArgumentException(
          "--deliveryGuarantee=exactly_once needs checkpointing: add"
              + " --checkpointingInterval=MILLIS (e.g. 10000); outputs become visible to read_committed consumers"
              + " when a checkpoint completes");
    }
    if (StreamSinks.sink(options) != io.beamml.pipelines.bigquery.BigQuerySinkOptions.Sink.kafka) {
      throw new IllegalArgumentException(
          "--deliveryGuarantee=exactly_once applies to --sink=kafka only; the files and"
              + " BigQuery sinks are at least once (their records carry event_id to remove repeats)");
    }
  }

  static void checkRestart(StreamOptions options) {
    if (restoresState(options)) {
      return;
    }
    Set<String> committed = committedTopics(options);
    if (committed.isEmpty()) {
      return;
    }
    String loss =
        "the old job's Dedup memory of event ids, the customers' feature histories and (exact mode) the rows"
            + " still waiting for the watermark";
    if (Boolean.TRUE.equals(options.getFromOffsets())) {
      LOG.warn(
          "--fromOffsets: consumer group {} resumes from its committed offsets on {} with empty state; lost: {}",
          options.getConsumerGroup(),
          committed,
          loss);
      return;
    }
    throw new IllegalArgumentException(
        "consumer group "
            + options.getConsumerGroup()
            + " has committed offsets on "
            + String.join(", ", committed)
            + " but no --savepointPath was given: a new job would resume there without "
            + loss
            + ". Resume from the last savepoint or retained checkpoint with --savepointPath=PATH, start afresh with"
            + " another --consumerGroup, or pass --fromOffsets to accept that loss");
  }

  /**
   * A savepoint or checkpoint to restore: {@code --savepointPath} or the Flink configuration's
   * ({@code --flinkConfDir}, else Flink's own {@code FLINK_CONF_DIR} or {@code FLINK_HOME/conf}:
   * where the Kubernetes operator puts the savepoint a job upgrade resumes from).
   */
  static boolean restoresState(StreamOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (flink.getSavepointPath() != null && !flink.getSavepointPath().isBlank()) {
      return true;
    }
    @Nullable String confDir = flink.getFlinkConfDir();
    if (confDir == null) {
      confDir = System.getenv("FLINK_CONF_DIR");
    }
    if (confDir == null && System.getenv("FLINK_HOME") != null) {
      confDir = Paths.get(System.getenv("FLINK_HOME"), "conf").toString();
    }
    if (confDir == null) {
      return false;
    }
    for (String name : new String[] {"flink-conf.yaml", "config.yaml"}) {
      Path conf = Paths.get(confDir, name);
      try {
        if (Files.exists(conf)
            && Files.readAllLines(conf, StandardCharsets.UTF_8).stream()
                .anyMatch(l -> l.trim().startsWith("execution.savepoint.path:"))) {
          return true;
        }
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  /** The input topics on which the consumer group has committed offsets. */
  static Set<String> committedTopics(StreamOptions options) {
    Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, options.getBootstrapServers());
    props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    Set<String> inputs = Set.of(options.getClicksTopic(), options.getOrdersTopic());
    Set<String> committed = new TreeSet<>();
    try (Admin admin = Admin.create(props)) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(options.getConsumerGroup())
              .partitionsToOffsetAndMetadata()
              .get(20, TimeUnit.SECONDS);
      offsets.forEach(
          (partition, offset) -> {
            if (offset != null && inputs.contains(partition.topic())) {
              committed.add(partition.topic());
            }
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the consumer group's offsets", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not read consumer group "
              + options.getConsumerGroup()
              + "'s offsets at "
              + options.getBootstrapServers()
              + " (is the broker up?): "
              + e,
          e);
    }
    return committed;
  }
}
