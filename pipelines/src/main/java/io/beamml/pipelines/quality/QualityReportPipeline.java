package io.beamml.pipelines.quality;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.pipelines.ingest.Ingest;
import io.beamml.pipelines.ingest.IngestResult;
import io.beamml.pipelines.ingest.OfflineInputs;
import io.beamml.pipelines.io.DeadLetterSink;
import io.beamml.pipelines.io.ReportFiles;
import io.beamml.pipelines.options.HmacKeyOptions;
import io.beamml.pipelines.summary.RunSummary;
import io.beamml.pipelines.summary.SummaryCounts;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.PromoResponse;
import io.beamml.training.ModelEvaluation;
import io.beamml.training.quality.LabelledScore;
import io.beamml.training.quality.MeasureQuality;
import io.beamml.training.quality.QualityAlarm;
import io.beamml.training.quality.QualityReadout;
import io.beamml.training.quality.QualityReport;
import io.beamml.training.quality.QualityRow;
import io.beamml.training.quality.RecordQualityGauges;
import io.beamml.transforms.deadletter.CountDeadLetters;
import io.beamml.transforms.deadletter.Sources;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.validate.ContractRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code quality-report}: how right the scores were. Joins each promotion response with the score
 * its customer got ({@link MatchScores}), measures per day of send time, model version and variant
 * ({@link MeasureQuality}), compares champion with challenger and checks the live-AUC alert
 * condition ({@link QualityReadout}), sets the {@code beamml_quality_*} gauges, and writes {@value
 * QualityReadout#FILE}, dead letters and a balanced summary; after the run it renders {@value
 * QualityReport#HTML} beside the versions' test metrics from the registry. A response without a
 * score is counted out as unscored (summary count {@code responses/unscored}, per day in the
 * read-out), so the responses balance.
 */
public final class QualityReportPipeline {

  /** Flags of {@code ./pipeline quality-report}. */
  public interface Options extends HmacKeyOptions, QualityThresholdOptions {
    @Description(
        "Promotion responses: CSV files (promo_id,customer_id,sent_time,responded), or JSON Lines of the responses topic when the glob ends in .jsonl")
    @Validation.Required
    String getResponses();

    void setResponses(String value);

    @Description(
        "Predictions as the score or stream job writes them: JSON Lines, or Avro when the glob ends in .avro")
    String getPredictions();

    void setPredictions(String value);

    @Description(
        "Audit records (JSON Lines, or Avro when the glob ends in .avro); those naming a promo_id are joined by it")
    String getAudit();

    void setAudit(String value);

    @Description(
        "Model registry directory, to put each version's test metrics beside its live ones")
    String getRegistry();

    void setRegistry(String value);

    @Description(
        "Model whose versions' test metrics are read: NAME (NAME@ALIAS and NAME:VERSION name the same model)")
    String getModel();

    void setModel(String value);

    @Description("Output directory (local or any Beam file system)")
    @Validation.Required
    String getOutput();

    void setOutput(String value);

    @Description("The alert condition holds after this many measured days in a row below")
    @Default.Integer(QualityAlarm.DEFAULT_DAYS)
    Integer getAlertDays();

    void setAlertDays(Integer value);
  }

  public static final String PIPELINE_NAME = "quality-report";
  public static final String DEAD_LETTERS_DIR = "dead-letters";
  public static final String UNSCORED = "unscored";

  private QualityReportPipeline() {}

  /** Each version's registry metrics by {@code name:version}; empty without a registry. */
  public static Map<String, Map<String, Double>> testMetrics(Options options) {
    if (isBlank(options.getRegistry()) || isBlank(options.getModel())) {
      if (isBlank(options.getRegistry()) != isBlank(options.getModel())) {
        throw new IllegalArgumentException(
            "--registry and --model go together: give both or neither");
      }
      return new TreeMap<>();
    }
    return testMetrics(options.getRegistry(), options.getModel());
  }

  /**
   * The test AUC of every version of {@code model} (NAME, NAME@ALIAS or NAME:VERSION), by {@code
   * name:version}.
   */
  public static Map<String, Double> testAuc(String registryPath, String model) {
    Map<String, Double> testAuc = new TreeMap<>();
    testMetrics(registryPath, model)
        .forEach(
            (version, metrics) -> {
              if (metrics.get(ModelEvaluation.TEST_AUC) != null) {
                testAuc.put(version, metrics.get(ModelEvaluation.TEST_AUC));
              }
            });
    return testAuc;
  }

  /** Each version's registry metrics of {@code model}, by {@code name:version}. */
  public static Map<String, Map<String, Double>> testMetrics(String registryPath, String model) {
    Map<String, Map<String, Double>> out = new TreeMap<>();
    ModelRegistry registry = ModelRegistry.at(registryPath);
    String name = model.contains("@") || model.contains(":") ? ModelRef.parse(model).name() : model;
    List<String> versions = registry.versions(name);
    if (versions.isEmpty()) {
      throw new IllegalArgumentException("model " + name + " has no version in " + registryPath);
    }
    for (String version : versions) {
      ModelMetadata m = registry.metadata(name, version);
      out.put(name + ":" + version, m.metrics == null ? Map.of() : new LinkedHashMap<>(m.metrics));
    }
    return out;
  }

  public static QualityAlarm alarm(Options options) {
    return new QualityAlarm(options.getAucTolerance(), options.getAlertDays());
  }

  /** Adds the report to {@code p}. */
  public static void build(
      Pipeline p, Options options, HmacKey key, Map<String, Map<String, Double>> testMetrics) {
    if (isBlank(options.getPredictions()) && isBlank(options.getAudit())) {
      throw new IllegalArgumentException("give the scores: --predictions=GLOB and/or --audit=GLOB");
    }
    String out = options.getOutput();
    List<PCollection<KV<String, Long>>> counts = new ArrayList<>();
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
    Ingest<PromoResponse, LabelledPromo> ingest =
        options.getResponses().endsWith(".jsonl")
            ? Ingest.responsesJson(key, ContractRules.defaults())
            : Ingest.responses(key, ContractRules.defaults());
    IngestResult<LabelledPromo, PromoResponse> responses =
        OfflineInputs.ingestFiles(
            p,
            options.getResponses(),
            ingest.withDedupShards(OfflineInputs.defaultGroupingShards(options)),
            counts,
            deadLetters);

    List<PCollection<Score>> scoreInputs = new ArrayList<>();
    if (!isBlank(options.getPredictions())) {
      scoreInputs.add(ReadScores.predictions(p, options.getPredictions(), counts, deadLetters));
    }
    if (!isBlank(options.getAudit())) {
      scoreInputs.add(ReadScores.audit(p, options.getAudit(), counts, deadLetters));
    }
    PCollection<Score> scores =
        PCollectionList.of(scoreInputs).apply("FlattenScores", Flatten.pCollections());

    MatchScores.Result matched =
        responses
            .records()
            .apply(
                "MatchScores",
                MatchScores.with(scores).withShards(OfflineInputs.defaultGroupingShards(options)));
    Map<String, Double> testAuc = new TreeMap<>();
    testMetrics.forEach(
        (model, metrics) -> {
          if (metrics.get(ModelEvaluation.TEST_AUC) != null) {
            testAuc.put(model, metrics.get(ModelEvaluation.TEST_AUC));
          }
        });
    PCollection<QualityRow> rows =
        matched.matched.apply(
            "MeasureQuality",
            MeasureQuality.daily()
                .withMinPositives(options.getMinPositives())
                .withTestAuc(testAuc));
    rows.apply("RecordQualityGauges", RecordQualityGauges.latestDay());

    PCollectionView<Map<String, Long>> unscoredByDay =
        matched
            .unscored
            .apply(
                "UnscoredDay",
                MapElements.into(TypeDescriptors.strings())
                    .via(r -> LabelledScore.day(r.getSentTime())))
            .apply("CountUnscoredPerDay", Count.perElement())
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
            .apply("UnscoredAsMap", View.asMap());
    QualityAlarm alarm = alarm(options);
    long minPositives = options.getMinPositives();
    Map<String, Map<String, Double>> metrics = new TreeMap<>(testMetrics);
    rows.apply("GatherRows", Combine.globally(new ListFn()))
        .apply(
            "RenderReadout",
            ParDo.of(new ReadoutFn(unscoredByDay, metrics, alarm, minPositives))
                .withSideInputs(unscoredByDay))
        .setCoder(StringUtf8Coder.of())
        .apply(
            "WriteReadout",
            TextIO.write()
                .to(out + "/" + stem(QualityReadout.FILE))
                .withSuffix(".json")
                .withoutSharding());

    // Each response leaves once: scored (whatever the number of variants) or unscored.
    counts.add(
        PCollectionList.of(matched.scored)
            .and(matched.unscored)
            .apply("FlattenResponsesOut", Flatten.pCollections())
            .apply(
                "CountResponsesOut",
                SummaryCounts.of(Sources.RESPONSES, SummaryCounts.RECORDS_OUT)));
    counts.add(
        matched.unscored.apply("CountUnscored", SummaryCounts.of(Sources.RESPONSES, UNSCORED)));

    PCollection<DeadLetter> allDeadLetters =
        PCollectionList.of(deadLetters).apply("FlattenDeadLetters", Flatten.pCollections());
    allDeadLetters.apply("WriteDeadLetters", DeadLetterSink.to(out + "/" + DEAD_LETTERS_DIR));
    allDeadLetters.apply("MeterDeadLetters", CountDeadLetters.create());
    Map<String, String> info = new LinkedHashMap<>();
    if (!isBlank(options.getModel())) {
      info.put("model", options.getModel());
    }
    PCollectionList.of(counts)
        .and(allDeadLetters.apply("CountDeadLetters", SummaryCounts.deadLettersByReason()))
        .apply("WriteSummary", RunSummary.to(out, PIPELINE_NAME, info));
  }

  /** The read-out a finished run wrote. */
  public static String readReadout(String outputDir) {
    String path = outputDir + "/" + QualityReadout.FILE;
    try (InputStream in =
        Channels.newInputStream(
            FileSystems.open(FileSystems.matchSingleFileSpec(path).resourceId()))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** Renders the HTML report and its plots from the run's read-out. */
  public static void writeReport(Options options) {
    QualityReport report =
        QualityReport.of(readReadout(options.getOutput())).withSource(source(options));
    ReportFiles.write(options.getOutput(), report.render());
  }

  private static String source(Options options) {
    StringBuilder b = new StringBuilder("responses " + options.getResponses());
    if (!isBlank(options.getPredictions())) {
      b.append("; predictions ").append(options.getPredictions());
    }
    if (!isBlank(options.getAudit())) {
      b.append("; audit ").append(options.getAudit());
    }
    return b.toString();
  }

  private static String stem(String file) {
    return file.substring(0, file.length() - ".json".length());
  }

  private static boolean isBlank(@Nullable String s) {
    return s == null || s.isBlank();
  }

  private static final class ReadoutFn extends DoFn<List<QualityRow>, String> {
    private final PCollectionView<Map<String, Long>> unscoredByDay;
    private final Map<String, Map<String, Double>> testMetrics;
    private final QualityAlarm alarm;
    private final long minPositives;

    ReadoutFn(
        PCollectionView<Map<String, Long>> unscoredByDay,
        Map<String, Map<String, Double>> testMetrics,
        QualityAlarm alarm,
        long minPositives) {
      this.unscoredByDay = unscoredByDay;
      this.testMetrics = testMetrics;
      this.alarm = alarm;
      this.minPositives = minPositives;
    }

    @ProcessElement
    public void process(@Element List<QualityRow> all, ProcessContext c) {
      c.output(
          QualityReadout.of(all, c.sideInput(unscoredByDay), testMetrics, alarm, minPositives)
              .toJson());
    }
  }

  /** All rows of the run as one list (an empty list when nothing was scored). */
  private static final class ListFn
      extends Combine.CombineFn<QualityRow, List<QualityRow>, List<QualityRow>> {
    @Override
    public List<QualityRow> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<QualityRow> addInput(List<QualityRow> acc, QualityRow row) {
      acc.add(row);
      return acc;
    }

    @Override
    public List<QualityRow> mergeAccumulators(Iterable<List<QualityRow>> accs) {
      List<QualityRow> all = new ArrayList<>();
      accs.forEach(all::addAll);
      return all;
    }

    @Override
    public List<QualityRow> extractOutput(List<QualityRow> acc) {
      return acc;
    }

    @Override
    public Coder<List<QualityRow>> getAccumulatorCoder(
        CoderRegistry registry, Coder<QualityRow> input) {
      return ListCoder.of(input);
    }

    @Override
    public Coder<List<QualityRow>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<QualityRow> input) {
      return ListCoder.of(input);
    }
  }
}
