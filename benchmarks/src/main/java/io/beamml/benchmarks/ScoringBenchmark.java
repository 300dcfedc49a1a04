package io.beamml.benchmarks;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Rows per second of the scoring DoFn's batch path (B) against XGBoost4J's own in-place prediction
 * of the same rows in batches of the same size (A): the gap is what checking rows, vectorizing them
 * and building predictions costs on top of the model itself.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ScoringBenchmark {

  /** Registry holding the model; empty means train one in this JVM. */
  @Param({""})
  public String registry;

  @Param({"512"})
  public int batchSize;

  private ScoringWorkload workload;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String root = registry;
    if (root == null || root.isEmpty()) {
      root =
          BenchmarkData.trainAndRegister(
              Files.createTempDirectory("bench-registry").toString(),
              BenchmarkData.rows(ScoringWorkload.ROWS, 42));
    }
    workload = new ScoringWorkload(root, batchSize);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    workload.close();
  }

  @Benchmark
  @OperationsPerInvocation(ScoringWorkload.ROWS)
  public void rawInplacePredict(Blackhole blackhole) throws Exception {
    workload.rawInplacePredict(blackhole::consume);
  }

  @Benchmark
  @OperationsPerInvocation(ScoringWorkload.ROWS)
  public void scoringDoFnPath(Blackhole blackhole) {
    workload.scoringDoFnPath(blackhole::consume);
  }
}
