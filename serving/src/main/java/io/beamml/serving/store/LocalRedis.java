package io.beamml.serving.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} (Debian's package) as a child process on a free loopback port, with
 * no persistence, for tests, demos and benchmarks: no network exposure, nothing left behind.
 */
public final class LocalRedis implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path dir;

  private LocalRedis(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts on a free port and waits (up to 10 s) until it accepts connections. */
  public static LocalRedis start() {
    try {
      return launch(freePort(), Files.createTempDirectory("beamml-redis"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
    }
  }

  private static LocalRedis launch(int port, Path dir) {
    String binary = System.getenv().getOrDefault("REDIS_SERVER", "redis-server");
    try {
      Process process =
          new ProcessBuilder(
                  List.of(
                      binary,
                      "--port",
                      Integer.toString(port),
                      "--bind",
                      "127.0.0.1",
                      "--save",
                      "",
                      "--appendonly",
                      "no",
                      "--dir",
                      dir.toString()))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("redis.log").toFile())
              .start();
      LocalRedis redis = new LocalRedis(process, port, dir);
      redis.awaitListening();
      return redis;
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start "
              + binary
              + " (install it: apt-get install -y redis-server): "
              + e.getMessage(),
          e);
    }
  }

  private void awaitListening() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "redis-server exited with "
                + process.exitValue()
                + ": "
                + Files.readString(dir.resolve("redis.log")));
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for redis-server", e);
        }
      }
    }
    stop();
    throw new IOException("redis-server did not listen on port " + port + " within 10 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /**
   * Stops the server (as Redis down would look to a client); {@link #restart} brings it back on the
   * same port.
   */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A new server on the same port (empty: nothing is persisted). */
  public LocalRedis restart() {
    stop();
    return launch(port, dir);
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A temp directory left behind is harmless.
    }
  }
}
