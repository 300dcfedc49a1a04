package io.beamml.runners.commands;

import io.beamml.pipelines.drift.DriftReportPipeline;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.runners.Subcommand;
import io.beamml.runners.metrics.MonitoredJob;
import io.beamml.training.drift.DriftReport;
import io.beamml.training.drift.FeatureDrift;
import io.beamml.training.drift.WindowDrift;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ./pipeline drift-report}: stored feature rows against a model version's training
 * reference.
 */
public final class DriftReportCommand implements Subcommand {

  @Override
  public String name() {
    return "drift-report";
  }

  @Override
  public String summary() {
    return "compare stored feature rows with a model's training reference: PSI/KS per feature, drift records, HTML report";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return DriftReportPipeline.Options.class;
  }

  @Override
  public List<Class<? extends PipelineOptions>> launcherOptions() {
    return CommandSupport.JOB_LAUNCHER_OPTIONS;
  }

  @Override
  public int run(String[] args) throws Exception {
    DriftReportPipeline.Options options =
        CommandSupport.options(args, DriftReportPipeline.Options.class);
    CommandSupport.say(
        "drift-report: "
            + options.getFeatures()
            + " against "
            + options.getModel()
            + " from "
            + options.getRegistry()
            + " on "
            + options.getRunner().getSimpleName()
            + " ...");
    CommandSupport.requireStoredRows(options.getFeatures());
    long start = System.nanoTime();
    WindowDrift[] comparison = new WindowDrift[1];
    CommandSupport.intoOutput(
        options,
        () -> {
          Pipeline p = Pipeline.create(options);
          DriftReportPipeline.build(p, options, DriftReportPipeline.detection(options));
          CommandSupport.requireDone("drift-report", MonitoredJob.run(p));
          comparison[0] = DriftReportPipeline.readComparison(options.getOutput());
          DriftReportPipeline.writeReport(
              options.getOutput(), DriftReport.of(comparison[0]).withSource(options.getFeatures()));
        });
    WindowDrift drift = comparison[0];
    String summary = RunSummary.read(options.getOutput());
    RunSummary.printTable(summary, System.out);
    printStatistics(drift);
    String out = options.getOutput();
    CommandSupport.say(
        String.format(
            Locale.ROOT, "drift-report: finished in %.1f s", (System.nanoTime() - start) / 1e9));
    CommandSupport.say("  report:        " + out + "/" + DriftReport.HTML);
    CommandSupport.say("  drift records: " + out + "/" + DriftReportPipeline.RECORDS_DIR + "/");
    CommandSupport.say("  comparison:    " + out + "/" + DriftReportPipeline.COMPARISON_FILE);
    return CommandSupport.balanced("drift-report", summary);
  }

  private static void printStatistics(WindowDrift drift) {
    CommandSupport.say(
        String.format(
            Locale.ROOT,
            "%s:%s, %d rows compared; %s",
            drift.modelName(),
            drift.modelVersion(),
            drift.rows(),
            drift.thresholds()));
    String format = "%-14s %9s %9s %9s %10s  %s";
    CommandSupport.say(
        String.format(Locale.ROOT, format, "feature", "PSI", "KS D", "KS D >", "KS p", "drifted"));
    for (FeatureDrift f : drift.features()) {
      CommandSupport.say(
          String.format(
              Locale.ROOT,
              format,
              f.feature(),
              number(f.psi(), "%.4f"),
              number(f.ksStatistic(), "%.4f"),
              number(f.ksThreshold(), "%.4f"),
              number(f.ksPValue(), "%.3g"),
              f.drifted() ? "YES" : "no"));
    }
    if (!drift.measured()) {
      CommandSupport.say(
          "fewer rows than --minRows=" + drift.thresholds().minRows() + ": nothing is flagged");
    } else {
      CommandSupport.say(
          drift.driftedFeatures().isEmpty()
              ? "no feature drifted"
              : "drifted: " + String.join(", ", drift.driftedFeatures()));
    }
  }

  private static String number(Double value, String format) {
    return value == null ? "-" : String.format(Locale.ROOT, format, value);
  }
}
