package io.beamml.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Trains the benchmark model once, then runs benchmark A (raw XGBoost4J) and B (the scoring DoFn's
 * batch path) in alternating rounds and prints each round's throughput and the median ratio B/A.
 * Alternating matters on a shared machine: a load spike then hits both sides of a round instead of
 * skewing one benchmark's whole run. A second measure follows that other load hardly moves: rows
 * per CPU second of the scoring thread (both paths predict on the calling thread, see {@code
 * LoadedModel.PREDICT_THREADS}), alternating A and B in this JVM.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [--rounds N] [--warmup N] [--iterations N] [--seconds S] [--batch N]
 * </pre>
 */
public final class ScoringBenchmarkMain {

  private static final String A = "rawInplacePredict";
  private static final String B = "scoringDoFnPath";

  private ScoringBenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options =
        new HashMap<>(
            Map.of(
                "--rounds",
                "3",
                "--warmup",
                "2",
                "--iterations",
                "3",
                "--seconds",
                "1",
                "--batch",
                "512"));
    for (int i = 0; i < args.length; i++) {
      if (!options.containsKey(args[i]) || i + 1 == args.length) {
        System.err.println(
            "usage: [--rounds N] [--warmup N] [--iterations N] [--seconds S] [--batch N]");
        System.exit(2);
      }
      options.put(args[i], args[++i]);
    }

    long start = System.nanoTime();
    String registry =
        BenchmarkData.trainAndRegister(
            Files.createTempDirectory("bench-registry").toString(),
            BenchmarkData.rows(ScoringWorkload.ROWS, 42));
    System.out.printf(
        Locale.ROOT,
        "model: %d rounds, depth %d, %d features, trained on %d rows in %.1f s; batches of %s rows%n",
        BenchmarkData.ROUNDS,
        BenchmarkData.DEPTH,
        BenchmarkData.SPEC.featureNames().size(),
        ScoringWorkload.ROWS,
        (System.nanoTime() - start) / 1e9,
        options.get("--batch"));

    int rounds = Integer.parseInt(options.get("--rounds"));
    List<Double> ratios = new ArrayList<>();
    double sumA = 0;
    double sumB = 0;
    for (int round = 1; round <= rounds; round++) {
      double a = run(A, registry, options);
      double b = run(B, registry, options);
      sumA += a;
      sumB += b;
      ratios.add(b / a);
      System.out.printf(
          Locale.ROOT,
          "round %d: A %,12.0f rows/s   B %,12.0f rows/s   B/A %.3f%n",
          round,
          a,
          b,
          b / a);
    }
    Collections.sort(ratios);
    System.out.printf(
        Locale.ROOT,
        "%nA raw xgboost4j inplace_predict : %,12.0f rows/s (mean of rounds)%n",
        sumA / rounds);
    System.out.printf(
        Locale.ROOT,
        "B scoring DoFn batch path        : %,12.0f rows/s (mean of rounds)%n",
        sumB / rounds);
    System.out.printf(
        Locale.ROOT,
        "ratio B/A                        : %12.3f (median of rounds)%n",
        ratios.get(rounds / 2));

    cpuTimeCrossCheck(registry, Integer.parseInt(options.get("--batch")), Math.max(5, rounds * 2));
  }

  /** Alternates A and B in this JVM and compares rows per CPU second of this thread. */
  private static void cpuTimeCrossCheck(String registry, int batchSize, int repetitions)
      throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long[] sink = new long[1];
    Consumer<Object> consume = o -> sink[0] += System.identityHashCode(o) & 1;
    try (ScoringWorkload workload = new ScoringWorkload(registry, batchSize)) {
      for (int warm = 0; warm < 5; warm++) {
        workload.rawInplacePredict(consume);
        workload.scoringDoFnPath(consume);
      }
      long cpuA = 0;
      long cpuB = 0;
      for (int r = 0; r < repetitions; r++) {
        long t0 = threads.getCurrentThreadCpuTime();
        workload.rawInplacePredict(consume);
        long t1 = threads.getCurrentThreadCpuTime();
        workload.scoringDoFnPath(consume);
        long t2 = threads.getCurrentThreadCpuTime();
        cpuA += t1 - t0;
        cpuB += t2 - t1;
      }
      double rowsA = (double) ScoringWorkload.ROWS * repetitions / (cpuA / 1e9);
      double rowsB = (double) ScoringWorkload.ROWS * repetitions / (cpuB / 1e9);
      System.out.printf(
          Locale.ROOT,
          "%ncross-check, rows per CPU second of the scoring thread (%d alternations):%n",
          repetitions);
      System.out.printf(
          Locale.ROOT, "A %,12.0f   B %,12.0f   B/A %.3f%n", rowsA, rowsB, rowsB / rowsA);
    }
  }

  /** One JMH run of one benchmark in a fresh fork; its throughput in rows per second. */
  private static double run(String benchmark, String registry, Map<String, String> options)
      throws Exception {
    int seconds = Integer.parseInt(options.get("--seconds"));
    Options jmh =
        new OptionsBuilder()
            .include(ScoringBenchmark.class.getName() + "\\." + benchmark + "$")
            .param("registry", registry)
            .param("batchSize", options.get("--batch"))
            .warmupIterations(Integer.parseInt(options.get("--warmup")))
            .warmupTime(TimeValue.seconds(seconds))
            .measurementIterations(Integer.parseInt(options.get("--iterations")))
            .measurementTime(TimeValue.seconds(seconds))
            .forks(1)
            .jvmArgsAppend("-Xmx2g")
            .verbosity(VerboseMode.SILENT)
            .build();
    RunResult result = new Runner(jmh).runSingle();
    return result.getPrimaryResult().getScore();
  }
}
