package io.beamml.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.beam.sdk.io.FileSystems;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * XGBoost parameters for a binary response model: defaults, then a JSON or properties file, then
 * {@code --param=key=value} flags, later ones winning. {@code num_round} and {@code
 * early_stopping_rounds} steer the training loop; the rest go to XGBoost as they are.
 */
public final class TrainingParams {

  public static final String NUM_ROUND = "num_round";
  public static final String EARLY_STOPPING_ROUNDS = "early_stopping_rounds";
  public static final String OBJECTIVE = "binary:logistic";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Object> values;

  private TrainingParams(Map<String, Object> values) {
    this.values = values;
    validate();
  }

  /**
   * The defaults: shallow trees, a slow learning rate and early stopping on validation log loss.
   */
  public static Map<String, Object> defaults() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("objective", OBJECTIVE);
    d.put("eta", 0.1);
    d.put("max_depth", 4);
    d.put("subsample", 0.9);
    d.put("min_child_weight", 1);
    d.put("eval_metric", "logloss");
    d.put("tree_method", "hist");
    d.put("seed", 42);
    d.put("nthread", 2);
    d.put(NUM_ROUND, 300);
    d.put(EARLY_STOPPING_ROUNDS, 20);
    return d;
  }

  public static TrainingParams defaultParams() {
    return new TrainingParams(defaults());
  }

  /** Defaults overridden by a file (may be null) and then by key=value flags (may be empty). */
  public static TrainingParams resolve(
      @Nullable String paramsFile, @Nullable List<String> overrides) {
    Map<String, Object> values = defaults();
    if (paramsFile != null && !paramsFile.isBlank()) {
      values.putAll(readFile(paramsFile));
    }
    if (overrides != null) {
      for (String flag : overrides) {
        int eq = flag.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--param expects key=value, got: " + flag);
        }
        values.put(flag.substring(0, eq).trim(), parseValue(flag.substring(eq + 1).trim()));
      }
    }
    return new TrainingParams(values);
  }

  public static TrainingParams of(Map<String, Object> overrides) {
    Map<String, Object> values = defaults();
    values.putAll(overrides);
    return new TrainingParams(values);
  }

  /** Every parameter, including the loop controls, as recorded in the model's metadata. */
  public Map<String, Object> all() {
    return Collections.unmodifiableMap(values);
  }

  /** What XGBoost itself receives. */
  public Map<String, Object> boosterParams() {
    Map<String, Object> p = new LinkedHashMap<>(values);
    p.remove(NUM_ROUND);
    p.remove(EARLY_STOPPING_ROUNDS);
    return p;
  }

  public int numRound() {
    return intValue(NUM_ROUND);
  }

  public int earlyStoppingRounds() {
    return intValue(EARLY_STOPPING_ROUNDS);
  }

  /** The single metric early stopping watches on the validation split. */
  public String evalMetric() {
    return String.valueOf(values.get("eval_metric"));
  }

  private void validate() {
    if (!OBJECTIVE.equals(String.valueOf(values.get("objective")))) {
      throw new IllegalArgumentException(
          "objective must be "
              + OBJECTIVE
              + " (the model predicts a response probability), got "
              + values.get("objective"));
    }
    if (numRound() < 1) {
      throw new IllegalArgumentException(NUM_ROUND + " must be at least 1, got " + numRound());
    }
    if (earlyStoppingRounds() < 1) {
      throw new IllegalArgumentException(
          EARLY_STOPPING_ROUNDS + " must be at least 1, got " + earlyStoppingRounds());
    }
    String metric = evalMetric();
    if (metric.contains(",") || metric.isBlank()) {
      // XGBoost4J's early stopping reads one value per watched data set, so it can follow one
      // metric only.
      throw new IllegalArgumentException(
          "eval_metric must be a single metric for early stopping (logloss or auc), got: "
              + metric
              + "; AUC and log loss of every split are reported anyway");
    }
  }

  private int intValue(String key) {
    Object v = values.get(key);
    if (v instanceof Number
        && ((Number) v).doubleValue() == Math.rint(((Number) v).doubleValue())) {
      return ((Number) v).intValue();
    }
    throw new IllegalArgumentException(key + " must be a whole number, got " + v);
  }

  private static Map<String, Object> readFile(String path) {
    String text;
    try (InputStream in =
        Channels.newInputStream(
            FileSystems.open(FileSystems.matchSingleFileSpec(path).resourceId()))) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read params file " + path, e);
    }
    Map<String, Object> values = new TreeMap<>();
    if (text.stripLeading().startsWith("{")) {
      try {
        JsonNode root = JSON.readTree(text);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          JsonNode v = e.getValue();
          if (v.isNumber()) {
            values.put(
                e.getKey(), v.isIntegralNumber() ? (Object) v.asLong() : (Object) v.asDouble());
          } else if (v.isTextual() || v.isBoolean()) {
            values.put(e.getKey(), parseValue(v.asText()));
          } else {
            throw new IllegalArgumentException(
                "params file " + path + ": " + e.getKey() + " must be a number, string or boolean");
          }
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "params file " + path + " is not valid JSON: " + e.getMessage(), e);
      }
    } else {
      Properties properties = new Properties();
      try {
        properties.load(new StringReader(text));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (String key : properties.stringPropertyNames()) {
        values.put(key, parseValue(properties.getProperty(key).trim()));
      }
    }
    return values;
  }

  /** Whole numbers become longs, other numbers doubles, anything else stays text. */
  static Object parseValue(String text) {
    if (text.matches("[-+]?\\d{1,18}")) {
      return Long.parseLong(text);
    }
    try {
      double d = Double.parseDouble(text);
      if (!Double.isNaN(d) && !Double.isInfinite(d) && text.matches("[-+0-9.eE]+")) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // not a number: a string parameter such as tree_method=hist
    }
    return text;
  }
}
