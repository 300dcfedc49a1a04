package io.beamml.runners.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamml.pipelines.quality.QualityReportPipeline;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.runners.Subcommand;
import io.beamml.runners.metrics.MonitoredJob;
import io.beamml.training.quality.QualityReadout;
import io.beamml.training.quality.QualityReport;
import io.beamml.transforms.pseudonymise.HmacKey;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ./pipeline quality-report}: live model quality from promotion responses and the scores
 * customers got.
 */
public final class QualityReportCommand implements Subcommand {

  @Override
  public String name() {
    return "quality-report";
  }

  @Override
  public String summary() {
    return "join responses with the scores customers got: daily AUC, log loss, Brier, calibration per version, A/B, alerts";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return QualityReportPipeline.Options.class;
  }

  @Override
  public List<Class<? extends PipelineOptions>> launcherOptions() {
    return CommandSupport.JOB_LAUNCHER_OPTIONS;
  }

  @Override
  public int run(String[] args) throws Exception {
    QualityReportPipeline.Options options =
        CommandSupport.options(args, QualityReportPipeline.Options.class);
    HmacKey key = HmacKey.resolve(options.getHmacKeyFile(), System.getenv());
    Map<String, Map<String, Double>> testMetrics = QualityReportPipeline.testMetrics(options);
    CommandSupport.say(
        "quality-report: "
            + options.getResponses()
            + " against the scores in "
            + (options.getPredictions() == null ? "" : options.getPredictions() + " ")
            + (options.getAudit() == null ? "" : options.getAudit() + " ")
            + "on "
            + options.getRunner().getSimpleName()
            + " ...");
    long start = System.nanoTime();
    Pipeline p = Pipeline.create(options);
    QualityReportPipeline.build(p, options, key, testMetrics);
    CommandSupport.requireDone("quality-report", MonitoredJob.run(p));
    QualityReportPipeline.writeReport(options);
    String summary = RunSummary.read(options.getOutput());
    RunSummary.printTable(summary, System.out);
    printRows(new ObjectMapper().readTree(QualityReportPipeline.readReadout(options.getOutput())));
    String out = options.getOutput();
    CommandSupport.say(
        String.format(
            Locale.ROOT, "quality-report: finished in %.1f s", (System.nanoTime() - start) / 1e9));
    CommandSupport.say("  report:   " + out + "/" + QualityReport.HTML);
    CommandSupport.say("  read-out: " + out + "/" + QualityReadout.FILE);
    return CommandSupport.balanced("quality-report", summary);
  }

  private static void printRows(JsonNode readout) {
    String format = "%-10s %-24s %-10s %7s %5s %7s %7s %7s %7s %s";
    CommandSupport.say(
        String.format(
            Locale.ROOT,
            format,
            "day",
            "version",
            "variant",
            "rows",
            "pos",
            "AUC",
            "test",
            "logloss",
            "ECE",
            ""));
    for (JsonNode r : readout.path("rows")) {
      CommandSupport.say(
          String.format(
              Locale.ROOT,
              format,
              r.path("day").asText(),
              r.path("model_name").asText() + ":" + r.path("model_version").asText(),
              r.path("variant").asText(),
              r.path("rows").asText(),
              r.path("positives").asText(),
              number(r.path("auc")),
              number(r.path("test_auc")),
              number(r.path("log_loss")),
              number(r.path("ece")),
              r.path("alarmable").asBoolean() ? "" : "(too few positives)"));
    }
    for (JsonNode c : readout.path("ab")) {
      if (c.path("scope").asText().equals(QualityReadout.POOLED)) {
        CommandSupport.say(
            String.format(
                Locale.ROOT,
                "A/B %s: challenger %s minus champion %s AUC %s, 95%% CI [%s, %s]: %s",
                c.path("model_name").asText(),
                c.path("challenger_version").asText(),
                c.path("champion_version").asText(),
                number(c.path("auc_difference")),
                number(c.path("ci95_low")),
                number(c.path("ci95_high")),
                c.path("verdict").asText().replace('_', ' ')));
      }
    }
    for (JsonNode a : readout.path("alerts")) {
      if (a.path("firing").asBoolean()) {
        CommandSupport.say(
            "ALERT: "
                + a.path("model_name").asText()
                + ":"
                + a.path("model_version").asText()
                + " "
                + a.path("variant").asText()
                + " live AUC below its test AUC for "
                + a.path("days_below_test").asInt()
                + " days");
      }
    }
    CommandSupport.say("responses without a score: " + readout.path("unscored_responses").asLong());
  }

  private static String number(JsonNode v) {
    return v.isNumber() ? String.format(Locale.ROOT, "%.4f", v.asDouble()) : "-";
  }
}
