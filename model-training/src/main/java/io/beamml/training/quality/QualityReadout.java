package io.beamml.training.quality;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.inference.DeployedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything {@value #FILE} says about a run: the quality rows by day, model version and variant,
 * the responses no score was found for, each version's test metrics from the registry, the
 * champion/challenger comparison per shared day and pooled over the shared days, and which variants
 * meet the live-AUC alert condition ({@link QualityAlarm}).
 */
public final class QualityReadout {

  public static final String FILE = "quality.json";
  public static final String CHAMPION = DeployedModel.CHAMPION;
  public static final String CHALLENGER = DeployedModel.CHALLENGER;
  public static final String POOLED = "pooled";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final List<QualityRow> rows;
  private final Map<String, Long> unscoredByDay;
  private final Map<String, Map<String, Double>> testMetrics;
  private final QualityAlarm alarm;
  private final long minPositives;

  private QualityReadout(
      List<QualityRow> rows,
      Map<String, Long> unscoredByDay,
      Map<String, Map<String, Double>> testMetrics,
      QualityAlarm alarm,
      long minPositives) {
    this.rows = rows;
    this.unscoredByDay = unscoredByDay;
    this.testMetrics = testMetrics;
    this.alarm = alarm;
    this.minPositives = minPositives;
  }

  /**
   * @param testMetrics registry metrics by {@code name:version}
   */
  public static QualityReadout of(
      Iterable<QualityRow> rows,
      Map<String, Long> unscoredByDay,
      Map<String, Map<String, Double>> testMetrics,
      QualityAlarm alarm,
      long minPositives) {
    List<QualityRow> sorted = new ArrayList<>();
    rows.forEach(sorted::add);
    sorted.sort((a, b) -> QualityKey.ORDER.compare(a.key(), b.key()));
    return new QualityReadout(
        List.copyOf(sorted), new TreeMap<>(unscoredByDay), testMetrics, alarm, minPositives);
  }

  public List<QualityRow> rows() {
    return rows;
  }

  /**
   * Champion against challenger of each model: per day both scored, then pooled over those days.
   */
  public List<AbComparison> comparisons() {
    // model name -> day -> variant -> rows
    Map<String, Map<String, Map<String, List<QualityRow>>>> byModel = new TreeMap<>();
    for (QualityRow r : rows) {
      byModel
          .computeIfAbsent(r.key().modelName(), m -> new TreeMap<>())
          .computeIfAbsent(r.key().day(), d -> new TreeMap<>())
          .computeIfAbsent(r.key().variant(), v -> new ArrayList<>())
          .add(r);
    }
    List<AbComparison> out = new ArrayList<>();
    for (Map.Entry<String, Map<String, Map<String, List<QualityRow>>>> model : byModel.entrySet()) {
      List<QualityRow> pooledChampion = new ArrayList<>();
      List<QualityRow> pooledChallenger = new ArrayList<>();
      for (Map.Entry<String, Map<String, List<QualityRow>>> day : model.getValue().entrySet()) {
        List<QualityRow> champion = day.getValue().get(CHAMPION);
        List<QualityRow> challenger = day.getValue().get(CHALLENGER);
        if (champion == null || challenger == null) {
          continue;
        }
        out.add(compare(day.getKey(), model.getKey(), champion, challenger));
        pooledChampion.addAll(champion);
        pooledChallenger.addAll(challenger);
      }
      if (!pooledChampion.isEmpty()) {
        out.add(compare(POOLED, model.getKey(), pooledChampion, pooledChallenger));
      }
    }
    return out;
  }

  private static AbComparison compare(
      String scope, String model, List<QualityRow> champion, List<QualityRow> challenger) {
    return AbComparison.of(
        scope, model, versions(champion), merge(champion), versions(challenger), merge(challenger));
  }

  private static ScoreHistogram merge(List<QualityRow> rows) {
    ScoreHistogram h = new ScoreHistogram();
    rows.forEach(r -> h.merge(r.histogram()));
    return h;
  }

  private static String versions(List<QualityRow> rows) {
    TreeSet<String> v = new TreeSet<>();
    rows.forEach(r -> v.add(r.key().modelVersion()));
    return String.join("+", v);
  }

  /** Rows by {@code name:version/variant}, each in day order. */
  public Map<String, List<QualityRow>> byVariant() {
    Map<String, List<QualityRow>> out = new LinkedHashMap<>();
    rows.stream()
        .sorted(
            (a, b) ->
                (a.key().model() + "/" + a.key().variant())
                    .compareTo(b.key().model() + "/" + b.key().variant()))
        .forEach(
            r ->
                out.computeIfAbsent(
                        r.key().model() + "/" + r.key().variant(), k -> new ArrayList<>())
                    .add(r));
    return out;
  }

  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("min_positives", minPositives);
    root.put("auc_tolerance", alarm.tolerance());
    root.put("alert_days", alarm.days());
    ArrayNode rowsNode = root.putArray("rows");
    for (QualityRow r : rows) {
      rowsNode.add(r.toJson(MAPPER));
    }
    long unscored = unscoredByDay.values().stream().mapToLong(Long::longValue).sum();
    ObjectNode unscoredNode = root.putObject("unscored_by_day");
    unscoredByDay.forEach(unscoredNode::put);
    root.put("unscored_responses", unscored);
    ObjectNode tests = root.putObject("test_metrics");
    new TreeMap<>(testMetrics)
        .forEach(
            (model, metrics) -> {
              ObjectNode m = tests.putObject(model);
              metrics.forEach(m::put);
            });
    ArrayNode ab = root.putArray("ab");
    for (AbComparison c : comparisons()) {
      ab.add(c.toJson(MAPPER));
    }
    ArrayNode alerts = root.putArray("alerts");
    for (Map.Entry<String, List<QualityRow>> v : byVariant().entrySet()) {
      QualityKey k = v.getValue().get(0).key();
      ObjectNode a = alerts.addObject();
      a.put("model_name", k.modelName());
      a.put("model_version", k.modelVersion());
      a.put("variant", k.variant());
      QualityRow.putNullable(a, "test_auc", v.getValue().get(0).testAuc());
      a.put("days_below_test", alarm.daysBelow(v.getValue()));
      a.put("firing", alarm.firing(v.getValue()));
    }
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + FILE, e);
    }
  }
}
