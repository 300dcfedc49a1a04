package io.beamml.serving.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamml.schemas.AuditRecord;
import io.beamml.schemas.Contribution;
import io.beamml.schemas.FeatureValue;
import io.beamml.serving.AuditLog;
import io.beamml.serving.OnlineScorer;
import io.beamml.serving.ScoreRequest;
import io.beamml.serving.ScoreResult;
import io.beamml.serving.ServingException;
import io.beamml.serving.ServingModels;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.beamml.transforms.pseudonymise.Pseudonymiser;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring server on Undertow: the Open Inference Protocol (KServe V2) REST API over the served
 * models, {@code POST /v1/score} over the online store, and {@code /metrics}, on one port.
 *
 * <p>Requests run on Undertow's worker threads (the Redis read blocks); bodies are limited to
 * {@link Config#maxBodyBytes} (413 beyond). Every error is a V2 error body {@code {"error": "..."}}
 * with its status. Each request is one OpenTelemetry server span (route, status, customer count)
 * with child spans for the store read and the prediction; spans, logs and errors carry no customer
 * id, raw or pseudonymised.
 */
public final class ServingServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServingServer.class);
  private static final String JSON = "application/json";

  /** Limits and threads. */
  public record Config(
      String host,
      int port,
      long maxBodyBytes,
      int maxCustomers,
      int ioThreads,
      int workerThreads) {
    public static Config defaults() {
      return new Config("127.0.0.1", 8080, 1 << 20, 1000, 2, 32);
    }

    public Config withPort(int newPort) {
      return new Config(host, newPort, maxBodyBytes, maxCustomers, ioThreads, workerThreads);
    }

    public Config withHost(String newHost) {
      return new Config(newHost, port, maxBodyBytes, maxCustomers, ioThreads, workerThreads);
    }

    public Config withMaxBodyBytes(long bytes) {
      return new Config(host, port, bytes, maxCustomers, ioThreads, workerThreads);
    }
  }

  private static final TextMapGetter<HttpServerExchange> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServerExchange exchange) {
          List<String> names = new ArrayList<>();
          for (HttpString h : exchange.getRequestHeaders().getHeaderNames()) {
            names.add(h.toString());
          }
          return names;
        }

        @Override
        public String get(HttpServerExchange exchange, String key) {
          return exchange == null ? null : exchange.getRequestHeaders().getFirst(key);
        }
      };

  private final Config config;
  private final OnlineScorer scorer;
  private final AuditLog audit;
  private final ThreadLocal<Pseudonymiser> pseudonymisers;
  private final OpenTelemetry telemetry;
  private final Tracer tracer;
  private final ServingMetrics metrics = new ServingMetrics();
  private final String runId;
  private final AtomicLong sequence = new AtomicLong();
  private final Undertow undertow;

  /** Liveness (the HTTP loop answers): what a Kubernetes livenessProbe asks. */
  public static final String HEALTH_LIVE = "/v2/health/live";

  /** Readiness (the online store answers): what a Kubernetes readinessProbe asks. */
  public static final String HEALTH_READY = "/v2/health/ready";

  private ServingServer(
      Config config, OnlineScorer scorer, HmacKey key, AuditLog audit, OpenTelemetry telemetry) {
    this.config = config;
    this.scorer = scorer;
    this.audit = audit;
    this.pseudonymisers = ThreadLocal.withInitial(() -> new Pseudonymiser(key));
    this.telemetry = telemetry;
    this.tracer = telemetry.getTracer("io.beamml.serving");
    this.runId = "serve-" + UUID.randomUUID();
    RoutingHandler routes =
        new RoutingHandler()
            .get("/v2", route("server_metadata", this::serverMetadata))
            .get(HEALTH_LIVE, route("live", ex -> json(ex, 200, object().put("live", true))))
            .get(HEALTH_READY, route("ready", this::ready))
            .get("/v2/models/{name}", route("model_metadata", this::modelMetadata))
            .get(
                "/v2/models/{name}/versions/{version}",
                route("model_metadata", this::modelMetadata))
            .get("/v2/models/{name}/ready", route("model_ready", this::modelReady))
            .get(
                "/v2/models/{name}/versions/{version}/ready",
                route("model_ready", this::modelReady))
            .post("/v2/models/{name}/infer", route("infer", this::infer))
            .post("/v2/models/{name}/versions/{version}/infer", route("infer", this::infer))
            .post("/v1/score", route("score", this::score))
            .get("/metrics", route("metrics", this::prometheus))
            .setFallbackHandler(
                route(
                    "not_found",
                    ex -> {
                      throw new ServingException(
                          404,
                          "no such endpoint: " + ex.getRequestMethod() + " " + ex.getRequestPath());
                    }))
            .setInvalidMethodHandler(
                route(
                    "method_not_allowed",
                    ex -> {
                      throw new ServingException(
                          405,
                          "method "
                              + ex.getRequestMethod()
                              + " is not allowed on "
                              + ex.getRequestPath());
                    }));
    this.undertow =
        Undertow.builder()
            .addHttpListener(config.port(), config.host())
            .setIoThreads(config.ioThreads())
            .setWorkerThreads(config.workerThreads())
            // The body limit is enforced in body(), which answers 413 with a V2 error body;
            // Undertow's
            // own limit (MAX_ENTITY_SIZE) would refuse such a request with a bare 400.
            .setServerOption(UndertowOptions.ENABLE_STATISTICS, false)
            .setHandler(new BlockingHandler(routes))
            .build();
  }

  /** Starts listening; {@link #port()} tells where (useful with port 0). */
  public static ServingServer start(
      Config config, OnlineScorer scorer, HmacKey key, AuditLog audit, OpenTelemetry telemetry) {
    ServingServer server = new ServingServer(config, scorer, key, audit, telemetry);
    server.undertow.start();
    LOG.info(
        "Serving {} on http://{}:{} (run {})",
        scorer.models().modelName(),
        config.host(),
        server.port(),
        server.runId);
    return server;
  }

  public int port() {
    return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  public String runId() {
    return runId;
  }

  public ServingMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    undertow.stop();
  }

  private interface Endpoint {
    void handle(HttpServerExchange exchange) throws Exception;
  }

  /** Wraps an endpoint in its span, its metrics and the V2 error mapping. */
  private HttpHandler route(String endpoint, Endpoint handler) {
    return exchange -> {
      long start = System.nanoTime();
      Context parent =
          telemetry
              .getPropagators()
              .getTextMapPropagator()
              .extract(Context.root(), exchange, HEADERS);
      Span span =
          tracer
              .spanBuilder(exchange.getRequestMethod() + " " + endpoint)
              .setParent(parent)
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("http.request.method", exchange.getRequestMethod().toString())
              .setAttribute("http.route", endpoint)
              .startSpan();
      int status = 500;
      try (Scope ignored = span.makeCurrent()) {
        try {
          handler.handle(exchange);
          status = exchange.getStatusCode();
        } catch (ServingException e) {
          status = e.status();
          if (status >= 500) {
            span.setStatus(StatusCode.ERROR, e.getMessage());
          }
          error(exchange, status, e.getMessage());
        } catch (RequestTooBigException e) {
          status = 413;
          error(
              exchange,
              status,
              "the request body is larger than " + config.maxBodyBytes() + " bytes");
        } catch (IOException e) {
          status = 400;
          error(
              exchange,
              status,
              "the request body could not be read: " + e.getClass().getSimpleName());
        } catch (Exception e) {
          status = 500;
          span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
          // The exception's message may quote model files, never a request body or an id.
          LOG.error("{} failed: {}", endpoint, e.toString());
          error(exchange, status, "internal error: " + e.getClass().getSimpleName());
        }
        span.setAttribute("http.response.status_code", status);
      } finally {
        span.end();
      }
      metrics.latency.labelValues(endpoint).observe((System.nanoTime() - start) / 1e9);
      metrics.requests.labelValues(endpoint, Integer.toString(status)).inc();
    };
  }

  private byte[] body(HttpServerExchange exchange) throws IOException {
    long declared = exchange.getRequestContentLength();
    if (declared > config.maxBodyBytes()) {
      throw new ServingException(
          413, "the request body is larger than " + config.maxBodyBytes() + " bytes");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 256);
    InputStream in = exchange.getInputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) > 0) {
      out.write(buffer, 0, n);
      if (out.size() > config.maxBodyBytes()) {
        throw new ServingException(
            413, "the request body is larger than " + config.maxBodyBytes() + " bytes");
      }
    }
    return out.toByteArray();
  }

  private void requireJson(HttpServerExchange exchange) {
    HeaderValues type = exchange.getRequestHeaders().get(Headers.CONTENT_TYPE);
    if (type != null && !type.getFirst().toLowerCase(java.util.Locale.ROOT).startsWith(JSON)) {
      throw new ServingException(415, "send the body as " + JSON + ", not " + type.getFirst());
    }
  }

  // ---- Open Inference Protocol ----

  private void serverMetadata(HttpServerExchange exchange) {
    ObjectNode body = object().put("name", "beamml-serve").put("version", version());
    body.putArray("extensions");
    json(exchange, 200, body);
  }

  private void ready(HttpServerExchange exchange) {
    boolean ready = isReady();
    json(exchange, ready ? 200 : 503, object().put("ready", ready));
  }

  /** Ready when the models are loaded (they are once the server is up) and Redis answers. */
  public boolean isReady() {
    boolean ready = scorer.store().ping();
    metrics.ready.set(ready ? 1 : 0);
    return ready;
  }

  private ServingModels.Active model(HttpServerExchange exchange) {
    String name = exchange.getQueryParameters().get("name").getFirst();
    ServingModels models = scorer.models();
    if (!name.equals(models.modelName())) {
      throw new ServingException(
          404, "no model named '" + name + "'; this server serves '" + models.modelName() + "'");
    }
    if (exchange.getQueryParameters().containsKey("version")) {
      String version = exchange.getQueryParameters().get("version").getFirst();
      ServingModels.Active active = models.version(name, version);
      if (active == null) {
        throw new ServingException(
            404, "version " + version + " of '" + name + "' is not served; served: " + versions());
      }
      return active;
    }
    return models.champion();
  }

  private List<String> versions() {
    List<String> out = new ArrayList<>();
    for (ServingModels.Active a : scorer.models().active()) {
      out.add(a.version());
    }
    return out;
  }

  private void modelMetadata(HttpServerExchange exchange) {
    ServingModels.Active active = model(exchange);
    ObjectNode body = object().put("name", active.name());
    ArrayNode versions = body.putArray("versions");
    versions(exchange).forEach(versions::add);
    body.put("platform", "xgboost");
    ArrayNode inputs = body.putArray("inputs");
    ObjectNode features = inputs.addObject().put("name", "features").put("datatype", "FP32");
    features.putArray("shape").add(-1).add(active.model().width());
    ObjectNode parameters = features.putObject("parameters");
    ArrayNode names = parameters.putArray("feature_names");
    active.model().vectorizer().featureNames().forEach(names::add);
    parameters.put("spec_fingerprint", active.model().specFingerprint());
    ObjectNode score =
        body.putArray("outputs")
            .addObject()
            .put("name", InferRequests.OUTPUT)
            .put("datatype", "FP32");
    score.putArray("shape").add(-1);
    json(exchange, 200, body);
  }

  private List<String> versions(HttpServerExchange exchange) {
    return exchange.getQueryParameters().containsKey("version")
        ? List.of(exchange.getQueryParameters().get("version").getFirst())
        : versions();
  }

  private void modelReady(HttpServerExchange exchange) {
    ServingModels.Active active = model(exchange);
    json(exchange, 200, object().put("name", active.name()).put("ready", true));
  }

  private void infer(HttpServerExchange exchange) throws IOException {
    ServingModels.Active active = model(exchange);
    requireJson(exchange);
    InferRequests.Parsed request =
        InferRequests.parse(
            body(exchange), active.model().vectorizer().featureNames(), config.maxCustomers());
    float[] scores = active.model().predict(request.matrix(), request.rows());
    metrics
        .predictions
        .labelValues(active.name(), active.version(), active.variant())
        .inc(request.rows());
    Span.current().setAttribute("beamml.rows", request.rows());
    ObjectNode body =
        object().put("model_name", active.name()).put("model_version", active.version());
    if (request.id() != null) {
      body.put("id", request.id());
    }
    ObjectNode output = body.putArray("outputs").addObject().put("name", InferRequests.OUTPUT);
    output.putArray("shape").add(request.rows());
    output.put("datatype", "FP32");
    ArrayNode data = output.putArray("data");
    for (float s : scores) {
      data.add(s);
    }
    json(exchange, 200, body);
  }

  // ---- /v1/score ----

  private void score(HttpServerExchange exchange) throws IOException {
    requireJson(exchange);
    long now = System.currentTimeMillis();
    ScoreRequests.Parsed parsed =
        ScoreRequests.parse(
            body(exchange),
            pseudonymisers.get(),
            now,
            config.maxCustomers(),
            scorer.models().champion().model().width());
    Span.current().setAttribute("beamml.customers", parsed.requests().size());
    List<ScoreResult> results =
        scorer.score(
            parsed.requests(),
            new OnlineScorer.Timing() {
              @Override
              public void redisRead(long nanos, int customers) {
                metrics.redisLatency.observe(nanos / 1e9);
                tracer
                    .spanBuilder("online_store.read")
                    .setStartTimestamp(Instant.now().minusNanos(nanos))
                    .setAttribute("db.system", "redis")
                    .setAttribute("beamml.customers", customers)
                    .startSpan()
                    .end();
              }

              @Override
              public void predicted(ServingModels.Active model, int rows) {
                metrics
                    .predictions
                    .labelValues(model.name(), model.version(), model.variant())
                    .inc(rows);
              }
            });
    String requestId = runId + "-" + sequence.incrementAndGet();
    List<AuditRecord> records = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      records.add(auditRecord(requestId + "-" + i, results.get(i), now));
    }
    audit.write(records);
    if (parsed.list()) {
      ArrayNode body = JsonBodies.MAPPER.createArrayNode();
      for (int i = 0; i < results.size(); i++) {
        body.add(render(results.get(i), records.get(i).getEventId()));
      }
      json(exchange, 200, body);
    } else {
      json(exchange, 200, render(results.get(0), records.get(0).getEventId()));
    }
  }

  private AuditRecord auditRecord(String id, ScoreResult r, long now) {
    if (!r.known()) {
      metrics.unknownCustomers.inc();
    }
    return AuditRecord.newBuilder()
        .setEventId(id)
        .setCustomerKey(r.request().customerKey())
        .setModelName(r.model().name())
        .setModelVersion(r.model().version())
        .setVariant(r.model().variant())
        .setSpecFingerprint(r.model().model().specFingerprint())
        .setScore(r.score())
        .setEventTime(r.request().asOfMillis())
        .setScoringTime(now)
        .setRunId(runId)
        .setContributions(r.contributions())
        .setPromoId(r.request().promoId())
        .build();
  }

  private static ObjectNode render(ScoreResult r, String auditId) {
    ScoreRequest request = r.request();
    ObjectNode node =
        object()
            .put("score", r.score())
            .put("model_name", r.model().name())
            .put("model_version", r.model().version())
            .put("variant", r.model().variant())
            .put("spec_fingerprint", r.model().model().specFingerprint())
            .put("as_of", Instant.ofEpochMilli(request.asOfMillis()).toString())
            .put("known_customer", r.known())
            .put("has_profile", r.hasProfile());
    if (request.promoId() != null) {
      node.put("promo_id", request.promoId());
    }
    ObjectNode features = node.putObject("features");
    for (FeatureValue v : r.features()) {
      if (v.getText() != null) {
        features.put(v.getName(), v.getText());
      } else if (v.getNumber() != null) {
        features.put(v.getName(), v.getNumber());
      } else {
        features.putNull(v.getName());
      }
    }
    if (r.contributions() != null) {
      ArrayNode contributions = node.putArray("contributions");
      for (Contribution c : r.contributions()) {
        contributions.addObject().put("feature", c.getFeature()).put("value", c.getValue());
      }
    }
    node.put("audit_id", auditId);
    return node;
  }

  // ---- /metrics and plumbing ----

  private void prometheus(HttpServerExchange exchange) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    PrometheusTextFormatWriter.create()
        .write(out, metrics.registry.scrape(), EscapingScheme.DEFAULT);
    exchange.setStatusCode(200);
    exchange
        .getResponseHeaders()
        .put(Headers.CONTENT_TYPE, PrometheusTextFormatWriter.CONTENT_TYPE);
    exchange.getResponseSender().send(ByteBuffer.wrap(out.toByteArray()));
  }

  private static ObjectNode object() {
    return JsonBodies.MAPPER.createObjectNode();
  }

  private static void error(HttpServerExchange exchange, int status, String message) {
    if (exchange.isResponseStarted()) {
      return;
    }
    json(exchange, status, object().put("error", message));
  }

  private static void json(HttpServerExchange exchange, int status, Object body) {
    byte[] bytes;
    try {
      bytes = JsonBodies.MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render a response", e);
    }
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
    exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
  }

  private static String version() {
    String v = ServingServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
