package io.beamml.pipelines.summary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.pipelines.io.ReportFiles;
import io.beamml.training.data.PublishedRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;

/**
 * Writes {@code summary.json}: per source, records in, records out, duplicates and dead letters per
 * reason, and whether they balance (in = out + duplicates + dead letters).
 */
public final class RunSummary extends PTransform<PCollectionList<KV<String, Long>>, PDone> {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String outputDir;
  private final String pipelineName;
  private final Map<String, String> info;

  private RunSummary(String outputDir, String pipelineName, Map<String, String> info) {
    this.outputDir = outputDir;
    this.pipelineName = pipelineName;
    this.info = new TreeMap<>(info);
  }

  /** {@code info} is written as-is beside the counts (e.g. the feature spec fingerprint). */
  public static RunSummary to(String outputDir, String pipelineName, Map<String, String> info) {
    return new RunSummary(outputDir, pipelineName, info);
  }

  @Override
  public PDone expand(PCollectionList<KV<String, Long>> counts) {
    counts
        .apply("FlattenCounts", Flatten.pCollections())
        .apply("OneGroup", WithKeys.of("summary"))
        .setCoder(
            KvCoder.of(StringUtf8Coder.of(), KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
        .apply("GatherCounts", GroupByKey.create())
        .apply("WriteSummaryJson", ParDo.of(new WriteSummaryFn(outputDir, pipelineName, info)));
    return PDone.in(counts.getPipeline());
  }

  /**
   * Sums the partial counts of the one group and writes {@code DIR/summary.json} itself: a single
   * small file needs none of a file sink's sharding, temporary files and finalising steps (a dozen
   * Flink tasks per run). A retried bundle writes the same bytes again; the run's directory is only
   * published when the job has finished ({@code RunOutput}).
   */
  private static final class WriteSummaryFn
      extends DoFn<KV<String, Iterable<KV<String, Long>>>, Void> {
    private final String outputDir;
    private final String pipelineName;
    private final Map<String, String> info;

    WriteSummaryFn(String outputDir, String pipelineName, Map<String, String> info) {
      this.outputDir = outputDir;
      this.pipelineName = pipelineName;
      this.info = info;
    }

    @ProcessElement
    public void processElement(@Element KV<String, Iterable<KV<String, Long>>> group) {
      Map<String, Long> all = new TreeMap<>();
      // Partial counts (SummaryCounts): a handful per key, summed here.
      for (KV<String, Long> kv : group.getValue()) {
        all.merge(kv.getKey(), kv.getValue(), Long::sum);
      }
      byte[] json = (render(pipelineName, all, info) + "\n").getBytes(StandardCharsets.UTF_8);
      ReportFiles.write(outputDir, Map.of(PublishedRun.SUMMARY_FILE, json));
    }
  }

  /** Builds the summary document from flat {@code source/metric[/reason]} counts. */
  public static String render(
      String pipelineName, Map<String, Long> counts, Map<String, String> info) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("pipeline", pipelineName);
    info.forEach(root::put);
    ObjectNode sources = root.putObject("sources");
    boolean allBalanced = true;
    Map<String, Map<String, Long>> bySource = new TreeMap<>();
    counts.forEach(
        (key, value) -> {
          int slash = key.indexOf('/');
          bySource
              .computeIfAbsent(key.substring(0, slash), s -> new TreeMap<>())
              .put(key.substring(slash + 1), value);
        });
    for (Map.Entry<String, Map<String, Long>> source : bySource.entrySet()) {
      Map<String, Long> m = source.getValue();
      ObjectNode node = sources.putObject(source.getKey());
      long in = m.getOrDefault(SummaryCounts.RECORDS_IN, 0L);
      long out = m.getOrDefault(SummaryCounts.RECORDS_OUT, 0L);
      long dups = m.getOrDefault(SummaryCounts.DUPLICATES, 0L);
      node.put(SummaryCounts.RECORDS_IN, in);
      node.put(SummaryCounts.RECORDS_OUT, out);
      node.put(SummaryCounts.DUPLICATES, dups);
      ObjectNode dead = node.putObject(SummaryCounts.DEAD_LETTERS);
      long deadTotal = 0;
      String prefix = SummaryCounts.DEAD_LETTERS + "/";
      for (Map.Entry<String, Long> e : m.entrySet()) {
        if (e.getKey().startsWith(prefix)) {
          dead.put(e.getKey().substring(prefix.length()), e.getValue());
          deadTotal += e.getValue();
        } else if (!List.of(
                SummaryCounts.RECORDS_IN, SummaryCounts.RECORDS_OUT, SummaryCounts.DUPLICATES)
            .contains(e.getKey())) {
          node.put(e.getKey(), e.getValue());
        }
      }
      node.put("dead_letters_total", deadTotal);
      boolean balanced = in == out + dups + deadTotal;
      node.put("balanced", balanced);
      allBalanced &= balanced;
    }
    root.put("balanced", allBalanced);
    try {
      return MAPPER.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@code DIR/summary.json} through Beam's file systems. */
  public static String read(String outputDir) throws IOException {
    String path = outputDir + "/" + PublishedRun.SUMMARY_FILE;
    try (java.io.InputStream in =
        java.nio.channels.Channels.newInputStream(
            org.apache.beam.sdk.io.FileSystems.open(
                org.apache.beam.sdk.io.FileSystems.matchSingleFileSpec(path).resourceId()))) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Whether every source in a summary document balances. */
  public static boolean isBalanced(String summaryJson) {
    try {
      return MAPPER.readTree(summaryJson).path("balanced").asBoolean(false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Prints a summary document as the count table every run ends with. */
  public static void printTable(String summaryJson, PrintStream out) {
    JsonNode root;
    try {
      root = MAPPER.readTree(summaryJson);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String format = "%-10s %12s %12s %11s %13s  %s%n";
    out.printf(
        format, "source", "records in", "records out", "duplicates", "dead letters", "balanced");
    Iterator<Map.Entry<String, JsonNode>> sources = root.path("sources").fields();
    while (sources.hasNext()) {
      Map.Entry<String, JsonNode> s = sources.next();
      JsonNode n = s.getValue();
      out.printf(
          format,
          s.getKey(),
          n.path(SummaryCounts.RECORDS_IN).asLong(),
          n.path(SummaryCounts.RECORDS_OUT).asLong(),
          n.path(SummaryCounts.DUPLICATES).asLong(),
          n.path("dead_letters_total").asLong(),
          n.path("balanced").asBoolean() ? "yes" : "NO");
      Iterator<Map.Entry<String, JsonNode>> reasons = n.path(SummaryCounts.DEAD_LETTERS).fields();
      while (reasons.hasNext()) {
        Map.Entry<String, JsonNode> r = reasons.next();
        out.printf("%-10s   dead letter %-28s %8d%n", "", r.getKey(), r.getValue().asLong());
      }
    }
  }
}
