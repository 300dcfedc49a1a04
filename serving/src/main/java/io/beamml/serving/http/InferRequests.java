package io.beamml.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamml.serving.ServingException;
import java.util.List;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads an Open Inference Protocol (KServe V2) inference request for a model of {@code width}
 * features, in either of two layouts: one tensor of shape {@code [N, width]} (any name; the columns
 * in the order of the model metadata's {@code features} input), or one tensor per feature, named
 * after it, each of shape {@code [N]} or {@code [N, 1]}. Numeric datatypes only; tensor data flat
 * or nested, row-major. A JSON {@code null} element is a missing value (XGBoost's NaN), since JSON
 * has no NaN. Requested outputs may only name {@code score}.
 */
final class InferRequests {

  static final Set<String> FIELDS = Set.of("id", "parameters", "inputs", "outputs");
  static final Set<String> INPUT_FIELDS = Set.of("name", "shape", "datatype", "parameters", "data");
  static final Set<String> OUTPUT_FIELDS = Set.of("name", "parameters");
  static final Set<String> NUMERIC =
      Set.of(
          "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16",
          "FP32", "FP64");
  static final String OUTPUT = "score";

  /** The rows (row-major, {@code rows * width}), the request id if any. */
  record Parsed(float[] matrix, int rows, @Nullable String id) {}

  private InferRequests() {}

  static Parsed parse(byte[] body, List<String> featureNames, int maxRows) {
    JsonNode tree = JsonBodies.parse(body);
    if (!tree.isObject()) {
      throw ServingException.badRequest(
          "an inference request must be a JSON object, got " + JsonBodies.typeOf(tree));
    }
    JsonBodies.onlyKnownFields(tree, FIELDS, "the inference request");
    String id = null;
    JsonNode idNode = tree.get("id");
    if (idNode != null) {
      if (!idNode.isTextual()) {
        throw ServingException.badRequest("id must be a string, got " + JsonBodies.typeOf(idNode));
      }
      id = idNode.asText();
    }
    checkParameters(tree.get("parameters"), "the request's parameters");
    checkOutputs(tree.get("outputs"));
    JsonNode inputs = tree.get("inputs");
    if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
      throw ServingException.badRequest("inputs is required: a non-empty list of tensors");
    }
    int width = featureNames.size();
    if (inputs.size() == 1) {
      JsonNode tensor = inputs.get(0);
      long[] shape = shape(tensor, "input 0");
      if (shape.length == 2 && shape[1] == width) {
        int rows = rows(shape[0], maxRows);
        float[] matrix = new float[rows * width];
        fill(tensor, matrix, 0, 1, (long) rows * width, name(tensor, 0));
        return new Parsed(matrix, rows, id);
      }
      if (width != 1) {
        throw ServingException.badRequest(
            "a single input must have shape [N, "
                + width
                + "] (the model's "
                + width
                + " features), got "
                + java.util.Arrays.toString(shape));
      }
    }
    if (inputs.size() != width) {
      throw ServingException.badRequest(
          "send one tensor of shape [N, "
              + width
              + "] or one tensor per feature "
              + featureNames
              + "; got "
              + inputs.size()
              + " inputs");
    }
    int rows = -1;
    float[] matrix = null;
    boolean[] seen = new boolean[width];
    for (int i = 0; i < inputs.size(); i++) {
      JsonNode tensor = inputs.get(i);
      String name = name(tensor, i);
      int column = featureNames.indexOf(name);
      if (column < 0) {
        throw ServingException.badRequest(
            "input '" + name + "' is not a feature of the model; its features are " + featureNames);
      }
      if (seen[column]) {
        throw ServingException.badRequest("input '" + name + "' is given twice");
      }
      seen[column] = true;
      long[] shape = shape(tensor, "input " + name);
      if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
        throw ServingException.badRequest(
            "input '"
                + name
                + "' must have shape [N] or [N, 1], got "
                + java.util.Arrays.toString(shape));
      }
      int n = rows(shape[0], maxRows);
      if (rows < 0) {
        rows = n;
        matrix = new float[rows * width];
      } else if (n != rows) {
        throw ServingException.badRequest(
            "input '" + name + "' has " + n + " rows, the first input " + rows);
      }
      fill(tensor, matrix, column, width, rows, name);
    }
    return new Parsed(matrix, rows, id);
  }

  private static String name(JsonNode tensor, int index) {
    if (!tensor.isObject()) {
      throw ServingException.badRequest(
          "input " + index + " must be a tensor object, got " + JsonBodies.typeOf(tensor));
    }
    JsonBodies.onlyKnownFields(tensor, INPUT_FIELDS, "input " + index);
    JsonNode name = tensor.get("name");
    if (name == null || !name.isTextual()) {
      throw ServingException.badRequest("input " + index + " needs a string name");
    }
    JsonNode datatype = tensor.get("datatype");
    if (datatype == null || !datatype.isTextual() || !NUMERIC.contains(datatype.asText())) {
      throw ServingException.badRequest(
          "input '"
              + name.asText()
              + "' needs a numeric datatype (one of "
              + NUMERIC
              + "), got "
              + (datatype == null ? "none" : datatype.toString()));
    }
    checkParameters(tensor.get("parameters"), "input '" + name.asText() + "' parameters");
    return name.asText();
  }

  private static long[] shape(JsonNode tensor, String what) {
    JsonNode shape = tensor.get("shape");
    if (shape == null || !shape.isArray() || shape.isEmpty()) {
      throw ServingException.badRequest(what + " needs a shape: a list of non-negative integers");
    }
    long[] dims = new long[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      JsonNode d = shape.get(i);
      if (!d.isIntegralNumber() || d.asLong() < 0) {
        throw ServingException.badRequest(
            what + " has a shape element that is not a non-negative integer");
      }
      dims[i] = d.asLong();
    }
    return dims;
  }

  private static int rows(long n, int maxRows) {
    if (n < 1 || n > maxRows) {
      throw ServingException.badRequest("between 1 and " + maxRows + " rows per request, got " + n);
    }
    return (int) n;
  }

  /** Writes the tensor's elements, flattened row-major, to matrix[offset + k * stride]. */
  private static void fill(
      JsonNode tensor, float[] matrix, int offset, int stride, long expected, String name) {
    JsonNode data = tensor.get("data");
    if (data == null || !data.isArray()) {
      throw ServingException.badRequest("input '" + name + "' needs its data as a list");
    }
    int[] count = {0};
    flatten(data, matrix, offset, stride, expected, count, name);
    if (count[0] != expected) {
      throw ServingException.badRequest(
          "input '" + name + "' has " + count[0] + " elements, its shape says " + expected);
    }
  }

  private static void flatten(
      JsonNode node,
      float[] matrix,
      int offset,
      int stride,
      long expected,
      int[] count,
      String name) {
    for (JsonNode e : node) {
      if (e.isArray()) {
        flatten(e, matrix, offset, stride, expected, count, name);
        continue;
      }
      if (count[0] >= expected) {
        count[0]++;
        continue;
      }
      float value;
      if (e.isNull()) {
        value = Float.NaN;
      } else if (e.isNumber()) {
        value = e.floatValue();
      } else if (e.isBoolean()) {
        value = e.booleanValue() ? 1f : 0f;
      } else {
        throw ServingException.badRequest(
            "input '" + name + "' has a " + JsonBodies.typeOf(e) + " element; numbers only");
      }
      matrix[offset + count[0] * stride] = value;
      count[0]++;
    }
  }

  private static void checkParameters(@Nullable JsonNode parameters, String what) {
    if (parameters != null && !parameters.isObject()) {
      throw ServingException.badRequest(what + " must be an object");
    }
  }

  private static void checkOutputs(@Nullable JsonNode outputs) {
    if (outputs == null) {
      return;
    }
    if (!outputs.isArray()) {
      throw ServingException.badRequest("outputs must be a list");
    }
    for (JsonNode o : outputs) {
      if (!o.isObject()) {
        throw ServingException.badRequest("each requested output must be an object");
      }
      JsonBodies.onlyKnownFields(o, OUTPUT_FIELDS, "a requested output");
      JsonNode name = o.get("name");
      if (name == null || !name.isTextual() || !name.asText().equals(OUTPUT)) {
        throw ServingException.badRequest("the model has one output, '" + OUTPUT + "'");
      }
      checkParameters(o.get("parameters"), "output parameters");
    }
  }
}
