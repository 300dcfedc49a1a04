package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import io.beamml.runners.ExitCode;
import io.beamml.runners.PipelineCli;
import io.beamml.runners.local.KafkaBrokerResource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code ./pipeline stream} refuses a start it cannot keep its promise on, with exit code 2 and a
 * line saying what to do: exactly-once without checkpointing or with another sink, and a new job
 * for a consumer group that already committed offsets (its state would be lost) unless {@code
 * --fromOffsets} or a savepoint is given.
 */
public class StreamLaunchChecksTest {

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();
  @ClassRule public static final KafkaBrokerResource KAFKA = new KafkaBrokerResource();
  private static Path key;

  @BeforeClass
  public static void setUp() throws Exception {
    key = WORK.newFile("hmac.key").toPath();
    Files.writeString(key, "launch-checks-key-0123456789");
    KAFKA.broker().createTopic("checks-clicks", 1);
    KAFKA.broker().createTopic("checks-orders", 1);
    Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.broker().bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      admin
          .alterConsumerGroupOffsets(
              "used-group",
              Map.of(new TopicPartition("checks-clicks", 0), new OffsetAndMetadata(0L)))
          .all()
          .get();
    }
  }

  private String[] stream(String... extra) {
    String[] base = {
      "stream",
      "--runner=FlinkRunner",
      "--flinkMaster=[local]",
      "--streaming=true",
      "--bootstrapServers=" + KAFKA.broker().bootstrapServers(),
      "--clicksTopic=checks-clicks",
      "--ordersTopic=checks-orders",
      "--registry=" + WORK.getRoot(),
      "--model=m@champion",
      "--hmacKeyFile=" + key
    };
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        PipelineCli.standard()
            .run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {String.valueOf(code), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  public void exactlyOnceWithoutCheckpointingIsRefused() {
    String[] result = run(stream("--deliveryGuarantee=exactly_once", "--consumerGroup=fresh-1"));
    assertEquals(result[1], String.valueOf(ExitCode.USAGE.code()), result[0]);
    assertThat(result[1], containsString("--checkpointingInterval"));
  }

  @Test
  public void exactlyOnceToFilesIsRefused() {
    String[] result =
        run(
            stream(
                "--deliveryGuarantee=exactly_once",
                "--checkpointingInterval=1000",
                "--sink=files",
                "--output=" + WORK.getRoot() + "/out",
                "--consumerGroup=fresh-2"));
    assertEquals(result[1], String.valueOf(ExitCode.USAGE.code()), result[0]);
    assertThat(result[1], containsString("--sink=kafka only"));
  }

  @Test
  public void aNewJobForAGroupWithCommittedOffsetsIsRefused() {
    String[] result = run(stream("--consumerGroup=used-group"));
    assertEquals(result[1], String.valueOf(ExitCode.USAGE.code()), result[0]);
    assertThat(
        result[1],
        containsString("consumer group used-group has committed offsets on checks-clicks"));
    assertThat(result[1], containsString("--fromOffsets"));
  }

  @Test
  public void fromOffsetsOrASavepointLetsItStart() {
    StreamLaunchChecks.checkRestart(
        StreamJobs.options(
            KAFKA.broker(),
            WORK.getRoot().toString(),
            "--clicksTopic=checks-clicks",
            "--ordersTopic=checks-orders",
            "--consumerGroup=used-group",
            "--fromOffsets=true"));
    StreamLaunchChecks.checkRestart(
        StreamJobs.options(
            KAFKA.broker(),
            WORK.getRoot().toString(),
            "--clicksTopic=checks-clicks",
            "--ordersTopic=checks-orders",
            "--consumerGroup=used-group",
            "--savepointPath=/tmp/savepoint-x"));
    StreamLaunchChecks.checkRestart(
        StreamJobs.options(
            KAFKA.broker(),
            WORK.getRoot().toString(),
            "--clicksTopic=checks-clicks",
            "--ordersTopic=checks-orders",
            "--consumerGroup=never-used"));
  }
}
