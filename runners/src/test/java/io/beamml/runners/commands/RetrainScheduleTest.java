package io.beamml.runners.commands;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.runners.ExitCode;
import io.beamml.runners.PipelineCli;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.BeforeClass;
import org.junit.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The shipped schedules call retrain as the CLI takes it: the Airflow DAG (parsed with Python's
 * {@code ast} and imported against a stub {@code airflow} package, since Airflow is not installable
 * here) and the Kubernetes CronJob (batch/v1). Every flag they pass is one {@code retrain --help}
 * lists, and what a refusal (3) or a lost race (75) does to the task is what the README says.
 */
public class RetrainScheduleTest {

  private static final Pattern LISTED = Pattern.compile("^  --([a-zA-Z0-9]+)=", Pattern.MULTILINE);
  private static final Pattern PASSED = Pattern.compile("(?:^|\\s)--([a-zA-Z0-9]+)=");

  private static Path root;
  private static List<String> retrainFlags;

  @BeforeClass
  public static void listRetrainFlags() {
    root = BatchRunsTest.sample().getParent().getParent();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        PipelineCli.standard()
            .run(
                new String[] {"retrain", "--help"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertEquals(0, code);
    retrainFlags = new ArrayList<>();
    Matcher m = LISTED.matcher(out.toString(StandardCharsets.UTF_8));
    while (m.find()) {
      retrainFlags.add(m.group(1));
    }
    assertThat(retrainFlags, hasItem("trainingWindowDays"));
  }

  @Test
  public void theAirflowDagRunsRetrainWithItsOwnFlagsAndSkipsOnARefusal() throws Exception {
    Process p =
        new ProcessBuilder(
                "python3", root.resolve("ops/schedules/airflow/tests/check_dag.py").toString())
            .redirectErrorStream(true)
            .start();
    String printed;
    try (InputStream in = p.getInputStream()) {
      printed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(printed, 0, p.exitValue());
    JsonNode dag = new ObjectMapper().readTree(printed);
    assertEquals("beamml_retrain", dag.path("dag_id").asText());
    assertEquals("0 3 * * *", dag.path("schedule").asText());
    assertEquals(
        "one retrain at a time: the registry lock would make a second wait",
        1,
        dag.path("max_active_runs").asInt());
    assertTrue("a lost race (75) is retried", dag.path("retries").asInt() > 0);
    JsonNode task = dag.path("tasks").get(0);
    assertEquals(1, dag.path("tasks").size());
    assertEquals(ExitCode.PROMOTION_REFUSED.code(), task.path("skip_on_exit_code").asInt());
    String command = task.path("command").asText();
    assertThat(command, startsWith("cd /opt/beamml && ./pipeline retrain "));
    assertThat(command, org.hamcrest.Matchers.containsString(" --asOf=2026-01-15T03:00:00Z "));
    assertEveryFlagIsRetrains(command);
  }

  @Test
  public void theCronJobIsBatchV1AndRunsRetrainWithItsOwnFlags() throws Exception {
    Map<String, Object> job;
    try (InputStream in = Files.newInputStream(root.resolve("ops/k8s/retrain-cronjob.yaml"))) {
      job = new Yaml().load(in);
    }
    assertEquals("batch/v1", job.get("apiVersion"));
    assertEquals("CronJob", job.get("kind"));
    Map<String, Object> spec = map(job, "spec");
    assertEquals("Forbid", spec.get("concurrencyPolicy"));
    Map<String, Object> jobSpec = map(map(spec, "jobTemplate"), "spec");
    Map<String, Object> pod = map(map(jobSpec, "template"), "spec");
    assertEquals("podFailurePolicy needs it", "Never", pod.get("restartPolicy"));
    @SuppressWarnings("unchecked")
    Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
    @SuppressWarnings("unchecked")
    List<String> args = (List<String>) container.get("args");
    assertEquals("retrain", args.get(0));
    assertEveryFlagIsRetrains(String.join(" ", args));

    @SuppressWarnings("unchecked")
    Map<String, Object> rule =
        ((List<Map<String, Object>>) map(jobSpec, "podFailurePolicy").get("rules")).get(0);
    assertEquals("FailJob", rule.get("action"));
    @SuppressWarnings("unchecked")
    List<Integer> failAtOnce = (List<Integer>) map(rule, "onExitCodes").get("values");
    assertEquals(container.get("name"), map(rule, "onExitCodes").get("containerName"));
    assertThat("a refusal is final", failAtOnce, hasItem(ExitCode.PROMOTION_REFUSED.code()));
    assertTrue("a lost race is retried", !failAtOnce.contains(ExitCode.ALIAS_CONFLICT.code()));
    assertTrue(
        "a runtime failure is retried", !failAtOnce.contains(ExitCode.RUNTIME_FAILURE.code()));
  }

  private static void assertEveryFlagIsRetrains(String command) {
    Matcher m = PASSED.matcher(command);
    int flags = 0;
    while (m.find()) {
      assertThat("--" + m.group(1) + " in " + command, retrainFlags, hasItem(m.group(1)));
      flags++;
    }
    assertTrue(command, flags >= 8);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    assertTrue(key + " in " + parent.keySet(), value instanceof Map);
    return (Map<String, Object>) value;
  }
}
