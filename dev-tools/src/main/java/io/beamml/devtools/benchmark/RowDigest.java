package io.beamml.devtools.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An order-independent digest of a set of JSON Lines rows, so two programs' outputs can be compared
 * without holding either in memory: each line is put in a canonical form (fields sorted, numbers as
 * the double they denote, whatever digits a language printed), hashed, and the hashes summed. Equal
 * digests mean the same multiset of rows, up to a 2^-64 chance.
 */
record RowDigest(long rows, long sum, long sumOfSquares) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static RowDigest ofJsonLines(List<Path> files) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long rows = 0;
    long sum = 0;
    long squares = 0;
    for (Path file : files) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          long h =
              ByteBuffer.wrap(
                      sha.digest(canonical(MAPPER.readTree(line)).getBytes(StandardCharsets.UTF_8)))
                  .getLong();
          rows++;
          sum += h;
          squares += h * h;
        }
      }
    }
    return new RowDigest(rows, sum, squares);
  }

  /** The files under {@code dir} (any depth) whose names end with {@code suffix}, sorted. */
  static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static String canonical(JsonNode node) {
    if (node.isObject()) {
      Map<String, String> fields = new TreeMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> f = it.next();
        fields.put(f.getKey(), canonical(f.getValue()));
      }
      return fields.toString();
    }
    if (node.isNumber()) {
      return Double.toString(node.doubleValue());
    }
    return node.toString();
  }

  @Override
  public String toString() {
    return String.format("%d rows, digest %016x%016x", rows, sum, sumOfSquares);
  }
}
