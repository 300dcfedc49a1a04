package io.beamml.training.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Rewrites a registered XGBoost model for another reader. XGBoost 3.1 began storing {@code
 * learner_model_param.base_score} as a vector string ({@code "[1.395E-1]"}); readers before 3.1
 * expect a scalar ({@code "1.395E-1"}) and, failing to parse the vector, silently use 0.5, which
 * shifts every margin. {@link Format#LEGACY_JSON} writes the scalar form, which every XGBoost from
 * 1.0 on reads (3.4 included); the trees are untouched.
 */
public final class ModelExport {

  /** Rows scored by both the original and the export before an export is handed out. */
  public static final int PROBE_ROWS = 512;

  /** Largest probability difference accepted between original and export. */
  public static final double TOLERANCE = 1e-6;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to write. */
  public enum Format {
    /** XGBoost JSON as this XGBoost writes it: for readers 3.1 and later. */
    JSON("json"),
    /** XGBoost universal binary JSON: for readers 3.1 and later. */
    UBJ("ubj"),
    /**
     * XGBoost JSON with a scalar base_score: for every reader from 1.0 on, e.g. Python xgboost 1.7.
     */
    LEGACY_JSON("legacy-json");

    private final String flag;

    Format(String flag) {
      this.flag = flag;
    }

    public String flag() {
      return flag;
    }

    public static Format parse(String flag) {
      for (Format f : values()) {
        if (f.flag.equalsIgnoreCase(flag)) {
          return f;
        }
      }
      throw new IllegalArgumentException("--format must be json, ubj or legacy-json, got " + flag);
    }
  }

  /** The export and how far its scores are from the original's on the probe rows. */
  public record Result(byte[] bytes, int probeRows, double maxDifference) {}

  private ModelExport() {}

  /**
   * Converts a model (JSON or UBJ bytes) and checks that XGBoost4J scores the result identically.
   */
  public static Result export(byte[] model, Format format) {
    try {
      Booster original = XGBoost.loadModel(model);
      try {
        byte[] json = original.toByteArray("json");
        byte[] out;
        switch (format) {
          case JSON:
            out = json;
            break;
          case UBJ:
            out = original.toByteArray("ubj");
            break;
          default:
            out = scalarBaseScore(json);
        }
        float[] probes = probeRows(json, PROBE_ROWS);
        int columns = (int) original.getNumFeature();
        Booster exported = XGBoost.loadModel(out);
        try {
          double diff =
              maxDifference(
                  original.inplace_predict(probes, PROBE_ROWS, columns, Float.NaN),
                  exported.inplace_predict(probes, PROBE_ROWS, columns, Float.NaN));
          if (!(diff <= TOLERANCE)) {
            throw new IllegalStateException(
                String.format(
                    Locale.ROOT,
                    "the %s export scores up to %.3g away from the registered model on %d probe rows: not written",
                    format.flag(),
                    diff,
                    PROBE_ROWS));
          }
          return new Result(out, PROBE_ROWS, diff);
        } finally {
          exported.dispose();
        }
      } finally {
        original.dispose();
      }
    } catch (XGBoostError | IOException e) {
      throw new IllegalStateException("cannot export the model: " + e.getMessage(), e);
    }
  }

  /** Replaces a one-element base_score vector by its scalar; a real vector has no older form. */
  static byte[] scalarBaseScore(byte[] json) throws IOException {
    JsonNode root = JSON.readTree(json);
    JsonNode param = root.path("learner").path("learner_model_param");
    if (!(param instanceof ObjectNode)) {
      throw new IllegalArgumentException(
          "not an XGBoost JSON model: no learner.learner_model_param");
    }
    String baseScore = param.path("base_score").asText();
    if (baseScore.startsWith("[") && baseScore.endsWith("]")) {
      String[] values = baseScore.substring(1, baseScore.length() - 1).split(",");
      for (String v : values) {
        if (!v.trim().equals(values[0].trim())) {
          throw new IllegalArgumentException(
              "base_score "
                  + baseScore
                  + " holds one intercept per target: XGBoost before 3.1 has no form for it");
        }
      }
      ((ObjectNode) param).put("base_score", values[0].trim());
    }
    return JSON.writeValueAsBytes(root);
  }

  /**
   * Rows whose values sit just either side of the trees' own split thresholds (and some missing),
   * so every branch is taken by some row.
   */
  static float[] probeRows(byte[] json, int rows) throws IOException {
    JsonNode root = JSON.readTree(json);
    int columns = root.path("learner").path("learner_model_param").path("num_feature").asInt();
    List<List<Float>> thresholds = new ArrayList<>();
    for (int f = 0; f < columns; f++) {
      thresholds.add(new ArrayList<>(List.of(0f)));
    }
    for (JsonNode tree :
        root.path("learner").path("gradient_booster").path("model").path("trees")) {
      JsonNode left = tree.path("left_children");
      for (int n = 0; n < left.size(); n++) {
        if (left.get(n).asInt() != -1) {
          thresholds
              .get(tree.path("split_indices").get(n).asInt())
              .add((float) tree.path("split_conditions").get(n).asDouble());
        }
      }
    }
    Random random = new Random(17);
    float[] probes = new float[rows * columns];
    for (int r = 0; r < rows; r++) {
      for (int f = 0; f < columns; f++) {
        List<Float> t = thresholds.get(f);
        float v = t.get(random.nextInt(t.size()));
        probes[r * columns + f] =
            random.nextInt(10) == 0 ? Float.NaN : random.nextBoolean() ? Math.nextDown(v) : v;
      }
    }
    return probes;
  }

  private static double maxDifference(float[][] a, float[][] b) {
    double max = 0;
    for (int r = 0; r < a.length; r++) {
      for (int c = 0; c < a[r].length; c++) {
        max = Math.max(max, Math.abs((double) a[r][c] - b[r][c]));
      }
    }
    return max;
  }
}
