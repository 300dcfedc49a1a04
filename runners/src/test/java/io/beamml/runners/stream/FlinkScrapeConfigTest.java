package io.beamml.runners.stream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.InferenceMetrics;
import io.beamml.runners.stream.PrometheusSamples.Sample;
import io.beamml.transforms.deadletter.Reasons;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.deadletter.Steps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * ops/prometheus/flink-scrape.yml, applied as Prometheus would to the names Flink's reporter
 * exports: the Beam metrics with labels in their names (flattened by Flink, see {@link
 * FlinkReporterNames}) come out under the beamml_* names and labels the dashboard and alerts use,
 * distributions (exported as 0) are dropped, anything else passes unchanged. Unlabelled names here
 * are copied from a scrape of the session cluster (StreamOnClusterTest prints them).
 */
public class FlinkScrapeConfigTest {

  /** What Flink adds to every operator metric; the rules must keep it. */
  private static final Map<String, String> OPERATOR_LABELS =
      Map.of(
          "host",
          "127_0_0_1",
          "tm_id",
          "taskmanager_1",
          "job_name",
          "stream",
          "operator_name",
          "Score_Predict",
          "subtask_index",
          "1",
          "task_attempt_num",
          "0");

  /** Derived from Beam distributions: Flink's reporter exports those as 0, the rules drop them. */
  private static final Pattern UNAVAILABLE_ON_FLINK =
      Pattern.compile(
          "beamml_(inference_batch_size|inference_batch_latency_micros|stream_event_to_prediction_lag_millis)_(sum|count|min|max)");

  private static MetricRelabeling relabeling;

  @BeforeClass
  public static void load() throws IOException {
    relabeling = MetricRelabeling.load(ops("prometheus/flink-scrape.yml"), "beamml-flink");
  }

  @Test
  public void labelledBeamMetricsGetTheAgreedNamesAndLabels() {
    assertRenamed(
        "pipeline",
        "records_in{source=clicks}",
        "beamml_pipeline_records_in_total",
        Map.of("source", Sources.CLICKS));
    assertRenamed(
        "pipeline",
        "dead_letters{source=orders,step=parse,reason=malformed_json}",
        "beamml_pipeline_dead_letters_total",
        Map.of("source", Sources.ORDERS, "step", Steps.PARSE, "reason", Reasons.MALFORMED_JSON));
    assertRenamed(
        "pipeline",
        "dead_letters{source=features,step=features,reason=spec_fingerprint_mismatch}",
        "beamml_pipeline_dead_letters_total",
        Map.of("source", "features", "step", Steps.FEATURES, "reason", Reasons.SPEC_MISMATCH));
    assertRenamed(
        "dedup",
        "duplicates{source=clicks}",
        "beamml_dedup_duplicates_total",
        Map.of("source", "clicks"));
    // Flink turns the "-" into "_" before Prometheus sees it: the job's own endpoint says
    // promo-response.
    assertRenamed(
        InferenceMetrics.NAMESPACE,
        "predictions{model=promo-response,version=12,variant=challenger}",
        "beamml_inference_predictions_total",
        Map.of("model", "promo_response", "version", "12", "variant", "challenger"));
    assertRenamed(
        "drift",
        "drifted_windows{feature=clicks_7d,statistic=psi}",
        "beamml_drift_drifted_windows_total",
        Map.of("feature", "clicks_7d", "statistic", "psi"));
    assertRenamed(
        "drift",
        "statistic{feature=amount_sum_30d,statistic=ks,__scale=1000000}",
        "beamml_drift_statistic_millionths",
        Map.of("feature", "amount_sum_30d", "statistic", "ks"));
    Map<String, String> variant =
        Map.of("model", "promo_response", "version", "12", "variant", "challenger");
    assertRenamed(
        "quality",
        "log_loss{model=promo-response,version=12,variant=challenger,__scale=1000000}",
        "beamml_quality_log_loss_millionths",
        variant);
    assertRenamed(
        "quality",
        "alarmable{model=promo-response,version=12,variant=challenger}",
        "beamml_quality_alarmable",
        variant);
  }

  @Test
  public void unlabelledBeamCountersGetTheAgreedNames() {
    assertRenamed(
        InferenceMetrics.NAMESPACE,
        InferenceMetrics.FAILURES,
        "beamml_inference_failures_total",
        Map.of());
    assertRenamed(
        InferenceMetrics.NAMESPACE,
        InferenceMetrics.MODEL_SWITCHES,
        "beamml_inference_model_switches_total",
        Map.of());
    assertRenamed("drift", "windows_measured", "beamml_drift_windows_measured_total", Map.of());
  }

  @Test
  public void distributionsExportedAsZeroAreDropped() {
    for (String observed :
        List.of(
            "flink_taskmanager_job_task_operator_inference_batch_size",
            "flink_taskmanager_job_task_operator_inference_batch_latency_micros",
            "flink_taskmanager_job_task_operator_inference_model_load_millis",
            FlinkReporterNames.userMetric("stream", "event_to_prediction_lag_millis"))) {
      assertThat(
          observed,
          relabeling.apply(new Sample(observed, OPERATOR_LABELS, 0.0)),
          is(Optional.empty()));
    }
  }

  @Test
  public void otherFlinkMetricsPassUnchanged() {
    for (String observed :
        List.of(
            "flink_taskmanager_job_task_operator_parse_clicks_parsed",
            "flink_taskmanager_job_task_operator_inference_inferences",
            "flink_taskmanager_job_task_operator_stream_flinkprom_predictions_written",
            "flink_taskmanager_job_task_operator_numRecordsIn",
            "flink_taskmanager_job_task_operator_currentOutputWatermark",
            "flink_jobmanager_numRegisteredTaskManagers")) {
      Sample sample = new Sample(observed, OPERATOR_LABELS, 3.0);
      assertEquals(Optional.of(sample), relabeling.apply(sample));
    }
  }

  @Test
  public void jvmMemoryIsNamedAsTheJobsOwnEndpointNamesIt() {
    Map<String, String> taskManager = Map.of("host", "127_0_0_1", "tm_id", "taskmanager_1");
    assertEquals(
        Optional.of(
            new Sample("jvm_memory_used_bytes", with(taskManager, Map.of("area", "heap")), 4.0e7)),
        relabeling.apply(
            new Sample("flink_taskmanager_Status_JVM_Memory_Heap_Used", taskManager, 4.0e7)));
    assertEquals(
        Optional.of(
            new Sample(
                "jvm_memory_used_bytes", Map.of("host", "127_0_0_1", "area", "nonheap"), 9.0)),
        relabeling.apply(
            new Sample(
                "flink_jobmanager_Status_JVM_Memory_NonHeap_Used",
                Map.of("host", "127_0_0_1"),
                9.0)));
  }

  /**
   * Every beamml_* name the dashboard and the alerts query is produced by the rules (or by
   * flink-rules.yml from a relabeled series), except what Flink cannot serve: the distributions.
   */
  @Test
  public void everyNameTheDashboardAndAlertsUseComesFromFlinkOrIsAKnownGap() throws IOException {
    Set<String> produced = new TreeSet<>();
    for (String[] beam :
        new String[][] {
          {"pipeline", "records_in{source=clicks}"},
          {"pipeline", "dead_letters{source=clicks,step=parse,reason=blank_line}"},
          {"dedup", "duplicates{source=clicks}"},
          {"inference", "predictions{model=m,version=1,variant=champion}"},
          {"inference", "failures"},
          {"inference", "model_switches"},
          {"drift", "drifted_windows{feature=f,statistic=psi}"},
          {"drift", "statistic{feature=f,statistic=psi,__scale=1000000}"},
          {"drift", "windows_measured"},
          {"quality", "auc{model=m,version=1,variant=champion,__scale=1000000}"},
          {"quality", "test_auc{model=m,version=1,variant=champion,__scale=1000000}"},
          {"quality", "alarmable{model=m,version=1,variant=champion}"}
        }) {
      relabeling
          .apply(new Sample(FlinkReporterNames.userMetric(beam[0], beam[1]), OPERATOR_LABELS, 1.0))
          .ifPresent(s -> produced.add(s.name()));
    }
    relabeling
        .apply(new Sample("flink_taskmanager_Status_JVM_Memory_Heap_Used", Map.of(), 1.0))
        .ifPresent(s -> produced.add(s.name()));
    produced.addAll(names(ops("prometheus/flink-rules.yml"), Pattern.compile("record:\\s*(\\S+)")));

    Set<String> used = new TreeSet<>();
    Pattern metric = Pattern.compile("\\b((?:beamml|jvm)_[a-z0-9_]+)");
    used.addAll(names(ops("grafana/beamml-dashboard.json"), metric));
    used.addAll(names(ops("prometheus/alerts.yml"), metric));
    List<String> missing = new ArrayList<>();
    for (String name : used) {
      // A name cut short (ending in _, a regular expression's prefix) must begin a produced one.
      boolean found =
          name.endsWith("_")
              ? produced.stream().anyMatch(p -> p.startsWith(name))
              : produced.contains(name);
      if (!found && !UNAVAILABLE_ON_FLINK.matcher(name).matches()) {
        missing.add(name);
      }
    }
    assertTrue("the dashboard and alerts use no metric names", !used.isEmpty());
    assertThat(
        "used by the dashboard or alerts, but not produced from Flink's names: "
            + missing
            + " (produced: "
            + produced
            + ")",
        missing,
        empty());
  }

  private static void assertRenamed(
      String namespace, String beamName, String name, Map<String, String> labels) {
    String flinkName = FlinkReporterNames.userMetric(namespace, beamName);
    Optional<Sample> out = relabeling.apply(new Sample(flinkName, OPERATOR_LABELS, 7.0));
    assertEquals(flinkName, Optional.of(new Sample(name, with(OPERATOR_LABELS, labels), 7.0)), out);
  }

  private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
    Map<String, String> all = new LinkedHashMap<>(a);
    all.putAll(b);
    return all;
  }

  private static Set<String> names(Path file, Pattern pattern) throws IOException {
    Matcher m = pattern.matcher(Files.readString(file, StandardCharsets.UTF_8));
    Set<String> names = new TreeSet<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** A file under the repository's ops/ folder (tests run in the module's directory). */
  static Path ops(String relative) {
    Path module = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")));
    return module.resolveSibling("ops").resolve(relative).normalize();
  }
}
