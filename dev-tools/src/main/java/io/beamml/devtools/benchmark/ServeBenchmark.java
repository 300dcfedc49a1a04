package io.beamml.devtools.benchmark;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.serving.store.RedisOnlineStore;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load behind {@code benchmark-serve}: a store filled with synthetic customers, the Redis round
 * trip of one customer's state (the floor), {@code /v1/score} at fixed request rates from an
 * open-loop generator (latency from each request's scheduled send time, so a slow server cannot
 * hide its queue: no coordinated omission), throughput at saturation from closed-loop clients, and
 * 100-customer requests one after another.
 */
public final class ServeBenchmark {

  private static final long DAY = 86_400_000L;

  /** Latency percentiles in milliseconds, and what was achieved. */
  public record Result(
      String what, int requests, int errors, double seconds, double p50, double p99, double max) {
    public double throughput() {
      return requests / seconds;
    }

    @Override
    public String toString() {
      return String.format(
          "%-40s %7d req %5d err %8.1f req/s   p50 %7.3f ms   p99 %7.3f ms   max %7.3f ms",
          what, requests, errors, throughput(), p50, p99, max);
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String scoreUrl;
  private final List<String> rawIds;

  public ServeBenchmark(String baseUrl, List<String> rawIds) {
    this.scoreUrl = baseUrl + "/v1/score";
    this.rawIds = rawIds;
  }

  /**
   * Writes {@code customers} customers with {@code events} events each in the 7 days before {@code
   * now}.
   */
  public static List<String> fill(
      RedisOnlineStore store, Pseudonymiser pseudonymiser, int customers, int events, long now) {
    Random random = new Random(42);
    String[] types = {"view", "view", "view", "click", "click", "add_to_cart", "order"};
    List<String> ids = new ArrayList<>(customers);
    List<CustomerEvent> batch = new ArrayList<>();
    List<CustomerProfile> profiles = new ArrayList<>();
    for (int c = 0; c < customers; c++) {
      String id = String.format("B%07d", c);
      String key = pseudonymiser.pseudonym(id);
      ids.add(id);
      for (int e = 0; e < events; e++) {
        String type = types[random.nextInt(types.length)];
        batch.add(
            new CustomerEvent(
                id + "-" + e,
                key,
                type,
                now - (long) (random.nextDouble() * 7 * DAY),
                type.equals("order") ? 5 + random.nextInt(200) * 1.0 : null,
                "web"));
      }
      profiles.add(
          new CustomerProfile(
              key,
              18 + random.nextInt(60),
              random.nextBoolean() ? "F" : "M",
              "DE",
              (int) (now / DAY) - random.nextInt(2000)));
      if (batch.size() >= 5000) {
        store.writeEvents(batch);
        batch.clear();
      }
    }
    store.writeEvents(batch);
    store.writeProfiles(profiles);
    return ids;
  }

  /** The floor: one customer's stored state read in one pipelined round trip. */
  public static Result redisFloor(RedisOnlineStore store, List<String> keys, int iterations) {
    return redis("redis: one customer's state (floor)", store, keys, 1, iterations);
  }

  /**
   * {@code size} customers' stored states read and decoded in one round trip, as a 100-customer
   * request does.
   */
  public static Result redisBatch(
      RedisOnlineStore store, List<String> keys, int size, int iterations) {
    return redis("redis: " + size + " customers' state, decoded", store, keys, size, iterations);
  }

  private static Result redis(
      String what, RedisOnlineStore store, List<String> keys, int size, int iterations) {
    Runnable[] reads = new Runnable[keys.size()];
    for (int i = 0; i < reads.length; i++) {
      int first = i;
      reads[i] =
          size == 1
              ? () -> store.readRawBytes(keys.get(first))
              : () -> store.readAll(window(keys, first, size));
    }
    for (int i = 0; i < Math.min(iterations, 2000); i++) {
      reads[i % reads.length].run();
    }
    long[] nanos = new long[iterations];
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      long t = System.nanoTime();
      reads[i % reads.length].run();
      nanos[i] = System.nanoTime() - t;
    }
    return summarise(what, nanos, iterations, 0, System.nanoTime() - start);
  }

  private static List<String> window(List<String> keys, int first, int size) {
    List<String> out = new ArrayList<>(size);
    for (int k = 0; k < size; k++) {
      out.add(keys.get((first + k) % keys.size()));
    }
    return out;
  }

  /**
   * The HTTP floor: {@code GET /v2/health/live} (no store, no model) at {@code rate} for {@code
   * seconds}.
   */
  public Result liveAtRate(int rate, double seconds) throws InterruptedException {
    HttpRequest live =
        HttpRequest.newBuilder(URI.create(scoreUrl.replace("/v1/score", "/v2/health/live")))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    return openLoop("http: GET /v2/health/live at " + rate + " req/s", rate, seconds, i -> live);
  }

  private HttpRequest single(int i) {
    String body = "{\"customer_id\": \"" + rawIds.get(i % rawIds.size()) + "\"}";
    return HttpRequest.newBuilder(URI.create(scoreUrl))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private HttpRequest batch(int i, int size) {
    StringBuilder body = new StringBuilder("[");
    for (int k = 0; k < size; k++) {
      body.append(k == 0 ? "" : ",")
          .append("{\"customer_id\": \"")
          .append(rawIds.get((i * size + k) % rawIds.size()))
          .append("\"}");
    }
    return HttpRequest.newBuilder(URI.create(scoreUrl))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body.append(']').toString()))
        .build();
  }

  /** Warms the server and the client's connections. */
  public void warmUp(int requests) throws Exception {
    for (int i = 0; i < requests; i++) {
      http.send(single(i), HttpResponse.BodyHandlers.discarding());
    }
  }

  /** Open loop: one single-customer request every 1/rate seconds for {@code seconds}. */
  public Result atRate(int rate, double seconds) throws InterruptedException {
    return openLoop("score 1 customer at " + rate + " req/s", rate, seconds, this::single);
  }

  private Result openLoop(
      String what, int rate, double seconds, java.util.function.IntFunction<HttpRequest> request)
      throws InterruptedException {
    int total = (int) Math.round(rate * seconds);
    long interval = 1_000_000_000L / rate;
    long[] nanos = new long[total];
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(total);
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long scheduled = start + i * interval;
      long wait = scheduled - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      http.sendAsync(request.apply(i), HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (response, error) -> {
                nanos[index] = System.nanoTime() - scheduled;
                if (error != null || response.statusCode() != 200) {
                  errors.incrementAndGet();
                }
                done.countDown();
              });
    }
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("requests at " + rate + " req/s did not finish within 60 s");
    }
    return summarise(what, nanos, total, errors.get(), System.nanoTime() - start);
  }

  /** Closed loop: {@code clients} callers each sending the next request when the last answered. */
  public Result saturation(int clients, double seconds) throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    List<long[]> perClient = new ArrayList<>();
    AtomicLong count = new AtomicLong();
    AtomicInteger errors = new AtomicInteger();
    List<CompletableFuture<Void>> running = new ArrayList<>();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      long[] nanos = new long[(int) (seconds * 20_000)];
      perClient.add(nanos);
      int client = c;
      running.add(
          CompletableFuture.runAsync(
              () -> {
                int n = 0;
                while (System.nanoTime() < end && n < nanos.length) {
                  long t = System.nanoTime();
                  try {
                    HttpResponse<Void> r =
                        http.send(
                            single(client * 7919 + n), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() != 200) {
                      errors.incrementAndGet();
                    }
                  } catch (Exception e) {
                    errors.incrementAndGet();
                  }
                  nanos[n++] = System.nanoTime() - t;
                }
                count.addAndGet(n);
                if (n < nanos.length) {
                  nanos[n] = -1;
                }
              },
              pool));
    }
    try {
      CompletableFuture.allOf(running.toArray(new CompletableFuture[0])).get();
    } finally {
      pool.shutdown();
    }
    long elapsed = System.nanoTime() - start;
    long[] all = new long[(int) count.get()];
    int k = 0;
    for (long[] nanos : perClient) {
      for (long v : nanos) {
        if (v < 0 || k == all.length) {
          break;
        }
        if (v > 0) {
          all[k++] = v;
        }
      }
    }
    return summarise(
        "saturation, " + clients + " closed-loop clients",
        Arrays.copyOf(all, k),
        k,
        errors.get(),
        elapsed);
  }

  /** {@code size} customers per request, one request after another. */
  public Result batches(int size, int requests) throws Exception {
    for (int i = 0; i < 20; i++) {
      http.send(batch(i, size), HttpResponse.BodyHandlers.discarding());
    }
    long[] nanos = new long[requests];
    int errors = 0;
    long start = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      long t = System.nanoTime();
      HttpResponse<Void> r = http.send(batch(i, size), HttpResponse.BodyHandlers.discarding());
      nanos[i] = System.nanoTime() - t;
      if (r.statusCode() != 200) {
        errors++;
      }
    }
    return summarise(
        "score " + size + " customers per request",
        nanos,
        requests,
        errors,
        System.nanoTime() - start);
  }

  private static Result summarise(
      String what, long[] nanos, int requests, int errors, long elapsedNanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Result(
        what,
        requests,
        errors,
        elapsedNanos / 1e9,
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }
}
