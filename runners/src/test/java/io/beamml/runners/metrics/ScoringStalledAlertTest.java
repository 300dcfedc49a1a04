package io.beamml.runners.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code BeammlScoringStalled} (severity page) from {@code ops/prometheus/alerts.yml}, evaluated by
 * Prometheus' own {@code promtool test rules} over series made from real scrapes ({@link
 * ScrapedJobs}): a backfill's metrics with its counters growing (it never predicts, and must not
 * page), the streaming job's with records growing and predictions flat (stalled: must page), and
 * with both growing (healthy). Skipped, saying so, where promtool is not installed ({@code apt-get
 * install prometheus}).
 */
public class ScoringStalledAlertTest {

  private static final String ALERT = "BeammlScoringStalled";

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void pagesForAStalledScoringJobOnlyNeverForABackfill() throws Exception {
    Assume.assumeTrue(
        "promtool is not installed (apt-get install prometheus): " + ALERT + " is not evaluated",
        promtool() != null);
    Path rules = ScrapedJobs.ROOT.resolve("ops/prometheus/alerts.yml");
    Map<String, Object> alert = rule(rules);
    ScrapedJobs jobs = ScrapedJobs.get();

    StringBuilder series = new StringBuilder();
    addSeries(series, jobs.backfill, "backfill", true);
    addSeries(series, jobs.streamSecond, "stalled-score", false);
    addSeries(series, jobs.streamSecond, "healthy-score", true);
    @SuppressWarnings("unchecked")
    Map<String, String> annotations = (Map<String, String>) alert.get("annotations");
    @SuppressWarnings("unchecked")
    Map<String, String> labels = (Map<String, String>) alert.get("labels");
    String test =
        "rule_files:\n  - "
            + quote(rules.toString())
            + "\n"
            + "evaluation_interval: 1m\n"
            + "tests:\n"
            + "  - interval: 1m\n"
            + "    input_series:\n"
            + series
            + "    alert_rule_test:\n"
            + "      - eval_time: 30m\n"
            + "        alertname: "
            + ALERT
            + "\n"
            + "        exp_alerts:\n"
            + "          - exp_labels:\n"
            + "              job: beamml\n"
            + "              instance: stalled-score\n"
            + "              severity: "
            + quote(labels.get("severity"))
            + "\n"
            + "            exp_annotations:\n"
            + "              summary: "
            + quote(annotations.get("summary"))
            + "\n"
            + "              description: "
            + quote(annotations.get("description"))
            + "\n";
    Path file = tmp.getRoot().toPath().resolve("scoring-stalled-test.yml");
    Files.writeString(file, test, StandardCharsets.UTF_8);

    Process p =
        new ProcessBuilder(promtool(), "test", "rules", file.toString())
            .redirectErrorStream(true)
            .start();
    assertTrue("promtool did not finish", p.waitFor(60, TimeUnit.SECONDS));
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(output, 0, p.exitValue());
  }

  /**
   * Every beamml_ sample of a scrape as one series of {@code instance}, 31 minutes long: counters
   * ({@code _total}, {@code _count}, {@code _sum}) grow by 60 a minute, except the predictions when
   * {@code predicting} is false; gauges stay as scraped.
   */
  private static void addSeries(
      StringBuilder out, Scrape scrape, String instance, boolean predicting) {
    for (Map.Entry<String, Map<Map<String, String>, Double>> metric : scrape.samples.entrySet()) {
      String name = metric.getKey();
      if (!name.startsWith("beamml_")) {
        continue;
      }
      boolean counter = name.endsWith("_total") || name.endsWith("_count") || name.endsWith("_sum");
      boolean grows = counter && (predicting || !name.equals("beamml_inference_predictions_total"));
      for (Map.Entry<Map<String, String>, Double> sample : metric.getValue().entrySet()) {
        Map<String, String> labels = new TreeMap<>(sample.getKey());
        labels.put("job", "beamml");
        labels.put("instance", instance);
        StringBuilder selector = new StringBuilder(name).append('{');
        labels.forEach(
            (k, v) ->
                selector
                    .append(k)
                    .append("=\"")
                    .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append("\","));
        selector.setLength(selector.length() - 1);
        selector.append('}');
        double v = Double.isFinite(sample.getValue()) ? sample.getValue() : 0;
        out.append("      - series: ")
            .append(quote(selector.toString()))
            .append('\n')
            .append("        values: ")
            .append(quote(grows ? "0+60x30" : v + "x30"))
            .append('\n');
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> rule(Path rules) throws Exception {
    Map<String, Object> doc = new Yaml().load(Files.readString(rules, StandardCharsets.UTF_8));
    for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
      for (Map<String, Object> r : (List<Map<String, Object>>) group.get("rules")) {
        if (ALERT.equals(r.get("alert"))) {
          return r;
        }
      }
    }
    throw new AssertionError(ALERT + " is not in " + rules);
  }

  /** A YAML single-quoted scalar. */
  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, "promtool");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}
