package io.beamml.runners.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One GET of a /metrics endpoint, its samples parsed from Prometheus' text format. */
final class Scrape {

  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( \\d+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final String contentType;
  final String body;

  /** Names of the metric families, as their {@code # TYPE} lines give them. */
  final Set<String> families = new TreeSet<>();

  /** Every sample: metric name, then its labels, then the value. */
  final Map<String, Map<Map<String, String>, Double>> samples = new TreeMap<>();

  private Scrape(String contentType, String body) {
    this.contentType = contentType;
    this.body = body;
    for (String line : body.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        families.add(line.split(" ")[2]);
      }
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a sample line: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.put(
              l.group(1),
              l.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
        }
      }
      samples
          .computeIfAbsent(m.group(1), k -> new LinkedHashMap<>())
          .put(labels, number(m.group(4)));
    }
  }

  private static double number(String text) {
    switch (text) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        return Double.parseDouble(text);
    }
  }

  static Scrape of(int port) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError(
            "GET /metrics answered " + response.statusCode() + ": " + response.body());
      }
      return new Scrape(response.headers().firstValue("Content-Type").orElse(""), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Set<String> names() {
    return new TreeSet<>(samples.keySet());
  }

  /** The sample with exactly these labels, or null. */
  Double value(String name, Map<String, String> labels) {
    return samples.getOrDefault(name, Map.of()).get(new TreeMap<>(labels));
  }

  /** The sum over every sample of {@code name} whose labels include {@code labels} (0 if none). */
  double sum(String name, Map<String, String> labels) {
    double total = 0;
    for (Map.Entry<Map<String, String>, Double> s :
        samples.getOrDefault(name, Map.of()).entrySet()) {
      if (s.getKey().entrySet().containsAll(labels.entrySet())) {
        total += s.getValue();
      }
    }
    return total;
  }

  Map<Map<String, String>, Double> series(String name) {
    return samples.getOrDefault(name, Map.of());
  }
}
