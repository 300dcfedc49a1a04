package io.beamml.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Flink 1.19 session cluster on loopback, started from the Maven jars the build resolved:
 * one JobManager and one TaskManager, each its own JVM, as Flink's start scripts would launch them.
 * Beam submits to it with {@code --runner=FlinkRunner --flinkMaster=}{@link #restAddress()}. Jobs
 * run in the TaskManager process, so {@link #killTaskManager()} is a real crash (kill -9) and
 * {@link #startTaskManager()} brings up a replacement for fail-over tests.
 *
 * <p>Everything lives under the work directory: the generated {@code conf/flink-conf.yaml}, the
 * process logs {@code jobmanager.log} and {@code taskmanager-N.log}, temporary files, checkpoints
 * and {@code plugins/}. A JVM shutdown hook kills the children if the caller never closes the
 * cluster.
 *
 * <p>{@link Setup#withPrometheusReporter(int)} installs Flink's own Prometheus reporter the way a
 * Flink distribution does (its jar under {@code plugins/metrics-prometheus/}, two lines of {@code
 * flink-conf.yaml}): every process then serves its metrics, Beam's user metrics among the
 * TaskManager's, at {@code http://127.0.0.1:PORT/metrics}.
 */
public final class FlinkSessionCluster implements AutoCloseable {

  /** Flink's own Java 17 flags ({@code env.java.opts.all} of its default configuration). */
  private static final List<String> JDK_FLAGS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final String JOB_MANAGER_MAIN =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  private static final String TASK_MANAGER_MAIN =
      "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
  private static final String BASH_JAVA_UTILS_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
  private static final String LOOPBACK = "127.0.0.1";

  /**
   * Flink reads its plugins from this directory ({@code plugins/} of the working directory if
   * unset).
   */
  private static final String PLUGINS_DIR_VARIABLE = "FLINK_PLUGINS_DIR";

  private static final String PROMETHEUS_REPORTER_FACTORY =
      "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
  private static final String PROMETHEUS_PORT_KEY = "metrics.reporter.prom.port";
  private static final int NO_REPORTER = -1;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

  private final Path workDir;
  private final String classpath;
  private final int restPort;
  private final int prometheusPort;
  private final int jobManagerMetricsPort;
  private final HttpClient http;
  private final Thread shutdownHook;
  private final Process jobManager;
  private Process taskManager;
  private int taskManagerMetricsPort = NO_REPORTER;
  private int taskManagersStarted;
  private boolean closed;

  private FlinkSessionCluster(
      Path workDir,
      String classpath,
      int restPort,
      int prometheusPort,
      int jobManagerMetricsPort,
      Process jobManager) {
    this.workDir = workDir;
    this.classpath = classpath;
    this.restPort = restPort;
    this.prometheusPort = prometheusPort;
    this.jobManagerMetricsPort = jobManagerMetricsPort;
    this.jobManager = jobManager;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    this.shutdownHook = new Thread(this::killAll, "flink-session-cluster-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Writes the configuration under {@code workDir}, starts the JobManager and one TaskManager and
   * waits until the TaskManager has registered (a few seconds).
   */
  public static FlinkSessionCluster start(Path workDir) {
    return at(workDir).start();
  }

  /** The settings of a cluster under {@code workDir}, to change before {@link Setup#start()}. */
  public static Setup at(Path workDir) {
    return new Setup(workDir, NO_REPORTER);
  }

  /** Immutable settings of a cluster not yet started. */
  public static final class Setup {

    private final Path workDir;
    private final int prometheusPort;

    private Setup(Path workDir, int prometheusPort) {
      this.workDir = workDir;
      this.prometheusPort = prometheusPort;
    }

    /**
     * Every process serves Flink's metrics for Prometheus, through Flink's own reporter: the
     * JobManager on {@code port} and the TaskManager (and any replacement) on {@code port + 1};
     * with {@code 0}, on free ports picked at each start. Read them from {@link
     * FlinkSessionCluster#jobManagerMetricsPort()} and {@link
     * FlinkSessionCluster#taskManagerMetricsPort()}.
     */
    public Setup withPrometheusReporter(int port) {
      if (port < 0 || port > 65534) {
        throw new IllegalArgumentException(
            "The reporter port must be 0 (any free port) or 1..65534: " + port);
      }
      return new Setup(workDir, port);
    }

    /**
     * Writes the configuration, starts the JobManager and one TaskManager and waits until the
     * TaskManager has registered (a few seconds) and, with the reporter, serves its metrics.
     */
    public FlinkSessionCluster start() {
      Path dir = workDir.toAbsolutePath();
      String classpath =
          FlinkClusterClasspath.jars().stream()
              .map(Path::toString)
              .collect(Collectors.joining(java.io.File.pathSeparator));
      int rpcPort = freePort();
      int restPort = freePort();
      int jobManagerMetricsPort = reporterPort(prometheusPort, 0);
      try {
        Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("checkpoints"));
        Files.createDirectories(dir.resolve("plugins"));
        if (jobManagerMetricsPort != NO_REPORTER) {
          installPrometheusReporter(dir.resolve("plugins"));
        }
        Files.writeString(
            dir.resolve("conf").resolve("flink-conf.yaml"),
            configuration(dir, rpcPort, restPort, jobManagerMetricsPort),
            StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not write the Flink configuration under " + dir, e);
      }
      Process jobManager =
          launch(
              dir,
              classpath,
              "GET_JM_RESOURCE_PARAMS",
              JOB_MANAGER_MAIN,
              List.of("--executionMode", "cluster"),
              dir.resolve("jobmanager.log"));
      FlinkSessionCluster cluster =
          new FlinkSessionCluster(
              dir, classpath, restPort, prometheusPort, jobManagerMetricsPort, jobManager);
      try {
        cluster.startTaskManager();
        if (jobManagerMetricsPort != NO_REPORTER) {
          cluster.awaitMetrics(jobManagerMetricsPort, jobManager, dir.resolve("jobmanager.log"));
        }
      } catch (RuntimeException e) {
        cluster.close();
        throw e;
      }
      return cluster;
    }
  }

  /** {@code 127.0.0.1:PORT} of the REST endpoint: the value Beam's {@code --flinkMaster} takes. */
  public String restAddress() {
    return LOOPBACK + ":" + restPort;
  }

  /**
   * The port where the JobManager's Prometheus reporter serves {@code /metrics} on 127.0.0.1; fails
   * if the cluster was started without {@link Setup#withPrometheusReporter(int)}.
   */
  public int jobManagerMetricsPort() {
    if (jobManagerMetricsPort == NO_REPORTER) {
      throw new IllegalStateException("The cluster was started without the Prometheus reporter");
    }
    return jobManagerMetricsPort;
  }

  /**
   * The port where the running TaskManager's Prometheus reporter serves {@code /metrics} on
   * 127.0.0.1, Beam's user metrics included; a replacement TaskManager may serve on another port.
   */
  public synchronized int taskManagerMetricsPort() {
    if (prometheusPort == NO_REPORTER) {
      throw new IllegalStateException("The cluster was started without the Prometheus reporter");
    }
    if (taskManager == null || !taskManager.isAlive()) {
      throw new IllegalStateException("No TaskManager is running");
    }
    return taskManagerMetricsPort;
  }

  /** Kills the running TaskManager with SIGKILL, as a crashed machine would, and waits for it. */
  public synchronized void killTaskManager() {
    if (taskManager == null || !taskManager.isAlive()) {
      throw new IllegalStateException("No TaskManager is running");
    }
    taskManager.destroyForcibly();
    waitForExit(taskManager);
    taskManager = null;
  }

  /**
   * Starts a TaskManager when none runs (after {@link #killTaskManager()}) and waits until the
   * JobManager lists it, so its slots are on offer when this returns.
   */
  public synchronized void startTaskManager() {
    if (closed) {
      throw new IllegalStateException("The cluster is closed");
    }
    if (taskManager != null && taskManager.isAlive()) {
      throw new IllegalStateException("A TaskManager is already running");
    }
    taskManagersStarted++;
    String resourceId = "taskmanager-" + taskManagersStarted;
    Path log = workDir.resolve(resourceId + ".log");
    List<String> args = new ArrayList<>(List.of("-D", "taskmanager.resource-id=" + resourceId));
    // flink-conf.yaml names the JobManager's reporter port; two processes on one host cannot
    // share it, so the TaskManager gets its own as a dynamic property, which overrides the file.
    taskManagerMetricsPort = reporterPort(prometheusPort, 1);
    if (taskManagerMetricsPort != NO_REPORTER) {
      args.addAll(List.of("-D", PROMETHEUS_PORT_KEY + "=" + taskManagerMetricsPort));
    }
    taskManager =
        launch(workDir, classpath, "GET_TM_RESOURCE_PARAMS", TASK_MANAGER_MAIN, args, log);
    awaitTaskManager(resourceId, log);
    if (taskManagerMetricsPort != NO_REPORTER) {
      awaitMetrics(taskManagerMetricsPort, taskManager, log);
    }
  }

  /** Kills the TaskManager and the JobManager and waits until both have exited. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is already exiting and runs the hook itself.
    }
  }

  private void killAll() {
    List<Process> processes = new ArrayList<>();
    if (taskManager != null) {
      processes.add(taskManager);
    }
    processes.add(jobManager);
    processes.forEach(Process::destroyForcibly);
    processes.forEach(FlinkSessionCluster::waitForExit);
  }

  private void awaitTaskManager(String resourceId, Path log) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + restAddress() + "/taskmanagers"))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build();
    String listed = "\"id\":\"" + resourceId + "\"";
    while (true) {
      if (!jobManager.isAlive()) {
        throw new IllegalStateException(
            "The Flink JobManager exited with code "
                + jobManager.exitValue()
                + "; see "
                + workDir.resolve("jobmanager.log"));
      }
      if (!taskManager.isAlive()) {
        throw new IllegalStateException(
            "The Flink TaskManager exited with code " + taskManager.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains(listed)) {
          return;
        }
      } catch (IOException notUpYet) {
        // The REST endpoint is still starting.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the Flink cluster", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Flink's TaskManager "
                + resourceId
                + " did not register within "
                + READY_TIMEOUT.toSeconds()
                + " s; see "
                + workDir.resolve("jobmanager.log")
                + " and "
                + log);
      }
      sleep(POLL_INTERVAL);
    }
  }

  /**
   * Waits until the reporter of {@code process} answers on {@code port}. Flink starts reporters
   * before the process registers, but one that could not bind only logs the failure: this turns it
   * into an error naming the log.
   */
  private void awaitMetrics(int port, Process process, Path log) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + LOOPBACK + ":" + port + "/metrics"))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The Flink process exited with code " + process.exitValue() + "; see " + log);
      }
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notUpYet) {
        // The reporter is still starting, or failed to bind.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "Interrupted while waiting for Flink's Prometheus reporter", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Flink's Prometheus reporter does not answer on port "
                + port
                + "; see "
                + log
                + reporterLines(log));
      }
      sleep(POLL_INTERVAL);
    }
  }

  /**
   * What the log says about the reporter, so that a CI failure shows the cause, not just the path.
   */
  private static String reporterLines(Path log) {
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      List<String> said =
          lines
              .filter(l -> l.contains("eporter") || l.contains("Prometheus"))
              .collect(Collectors.toList());
      return said.isEmpty()
          ? " (it says nothing about reporters)"
          : ":\n  " + String.join("\n  ", said.subList(Math.max(0, said.size() - 8), said.size()));
    } catch (IOException | UncheckedIOException unreadable) {
      return "";
    }
  }

  /** No reporter, a free port, or {@code base + offset}. */
  private static int reporterPort(int base, int offset) {
    if (base == NO_REPORTER) {
      return NO_REPORTER;
    }
    return base == 0 ? freePort() : base + offset;
  }

  /** Copies the reporter's jar where Flink looks for plugins: one folder per plugin. */
  private static void installPrometheusReporter(Path plugins) throws IOException {
    Path jar = FlinkClusterClasspath.prometheusReporterJar();
    Path folder = Files.createDirectories(plugins.resolve("metrics-prometheus"));
    Files.copy(jar, folder.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
  }

  private static String configuration(Path dir, int rpcPort, int restPort, int metricsPort) {
    String reporter =
        metricsPort == NO_REPORTER
            ? ""
            : String.join(
                "\n",
                "metrics.reporter.prom.factory.class: " + PROMETHEUS_REPORTER_FACTORY,
                PROMETHEUS_PORT_KEY + ": " + metricsPort,
                "");
    return String.join(
            "\n",
            "jobmanager.rpc.address: " + LOOPBACK,
            "jobmanager.rpc.port: " + rpcPort,
            "jobmanager.bind-host: " + LOOPBACK,
            "taskmanager.host: " + LOOPBACK,
            "taskmanager.bind-host: " + LOOPBACK,
            "rest.address: " + LOOPBACK,
            "rest.bind-address: " + LOOPBACK,
            "rest.port: " + restPort,
            "taskmanager.numberOfTaskSlots: 2",
            "parallelism.default: 2",
            "jobmanager.memory.process.size: 1g",
            "taskmanager.memory.process.size: 1536m",
            "io.tmp.dirs: " + dir.resolve("tmp"),
            "heartbeat.interval: 1000",
            "heartbeat.timeout: 5000",
            "restart-strategy.type: fixed-delay",
            "restart-strategy.fixed-delay.attempts: 10",
            "restart-strategy.fixed-delay.delay: 2 s",
            "state.checkpoints.dir: " + dir.resolve("checkpoints").toUri())
        + "\n"
        + reporter;
  }

  /**
   * Starts one Flink process the way {@code jobmanager.sh} and {@code taskmanager.sh} do: Flink's
   * BashJavaUtils turns the configured process size into JVM memory flags (first result line) and
   * the derived memory settings (second line, {@code -D key=value} program arguments).
   */
  private static Process launch(
      Path dir,
      String classpath,
      String resourceCommand,
      String mainClass,
      List<String> args,
      Path log) {
    Path confDir = dir.resolve("conf");
    List<String> resourceParams = resourceParams(dir, classpath, resourceCommand, log);
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.addAll(split(resourceParams.get(0)));
    command.addAll(JDK_FLAGS);
    command.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
    command.add("-Dlog.file=" + log);
    command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.add("--configDir");
    command.add(confDir.toString());
    command.addAll(args);
    command.addAll(split(resourceParams.get(1)));
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().put(PLUGINS_DIR_VARIABLE, dir.resolve("plugins").toString());
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start " + mainClass + "; see " + log, e);
    }
  }

  private static List<String> resourceParams(
      Path dir, String classpath, String resourceCommand, Path log) {
    Path utilsLog = Paths.get(log.toString().replaceFirst("\\.log$", "") + "-resources.log");
    List<String> command =
        List.of(
            javaExecutable(),
            "-cp",
            classpath,
            BASH_JAVA_UTILS,
            resourceCommand,
            "--configDir",
            dir.resolve("conf").toString());
    try {
      Process utils =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(utilsLog.toFile())
              .start();
      if (!utils.waitFor(60, TimeUnit.SECONDS)) {
        utils.destroyForcibly();
        throw new IllegalStateException("Flink's " + resourceCommand + " hung; see " + utilsLog);
      }
      List<String> results =
          Files.readAllLines(utilsLog, StandardCharsets.UTF_8).stream()
              .filter(line -> line.startsWith(BASH_JAVA_UTILS_PREFIX))
              .map(line -> line.substring(BASH_JAVA_UTILS_PREFIX.length()).trim())
              .collect(Collectors.toList());
      if (utils.exitValue() != 0 || results.size() != 2) {
        throw new IllegalStateException(
            "Flink's "
                + resourceCommand
                + " failed (exit "
                + utils.exitValue()
                + "); see "
                + utilsLog);
      }
      return results;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not run Flink's " + resourceCommand + "; see " + utilsLog, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running Flink's " + resourceCommand, e);
    }
  }

  private static List<String> split(String line) {
    return Arrays.stream(line.trim().split("\\s+"))
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toList());
  }

  private static String javaExecutable() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * A port that is free now and that the OS will not hand out on its own: Flink binds some sockets
   * to port 0 (the blob server, clients), and a port picked from the ephemeral range could be taken
   * by one of those between this check and Flink's bind. A reporter that cannot bind only logs it.
   */
  private static int freePort() {
    int ephemeralStart = ephemeralRangeStart();
    int low = 10_000;
    int high = Math.max(low + 1_000, ephemeralStart);
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(low, high);
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(port), 1);
        return port;
      } catch (IOException taken) {
        // Try another.
      }
    }
    throw new IllegalStateException("Could not find a free port in " + low + "-" + (high - 1));
  }

  /** The first port of the OS's ephemeral range (Linux: ip_local_port_range; 32768 elsewhere). */
  private static int ephemeralRangeStart() {
    Path range = Paths.get("/proc/sys/net/ipv4/ip_local_port_range");
    try {
      if (Files.isReadable(range)) {
        return Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]);
      }
    } catch (IOException | NumberFormatException unreadable) {
      // Fall back to the IANA default below.
    }
    return 32_768;
  }

  private static void waitForExit(Process process) {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "Flink process " + process.pid() + " did not exit after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Flink cluster", e);
    }
  }
}
