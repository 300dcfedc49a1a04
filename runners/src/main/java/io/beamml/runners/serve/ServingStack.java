package io.beamml.runners.serve;

import io.beamml.pipelines.online.OnlineStoreOptions;
import io.beamml.serving.AuditLog;
import io.beamml.serving.OnlineScorer;
import io.beamml.serving.ServingModels;
import io.beamml.serving.http.ServingServer;
import io.beamml.serving.store.OnlineStoreConfig;
import io.beamml.serving.store.RedisOnlineStore;
import io.beamml.transforms.pseudonymise.HmacKey;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@code serve} runs, built from its flags and started in order: the models (loaded and
 * verified before anything listens), the online store client, the audit log and the HTTP server.
 * Closing stops them in reverse order.
 */
public final class ServingStack implements AutoCloseable {

  private final ServingModels models;
  private final RedisOnlineStore store;
  private final AuditLog audit;
  private final ServingServer server;

  private ServingStack(
      ServingModels models, RedisOnlineStore store, AuditLog audit, ServingServer server) {
    this.models = models;
    this.store = store;
    this.audit = audit;
    this.server = server;
  }

  public static ServingStack start(ServeOptions options, HmacKey key, OpenTelemetry telemetry) {
    if (options.getOnlineStore() == null || options.getOnlineStore().isBlank()) {
      throw new IllegalArgumentException(
          "serve needs --onlineStore=redis://HOST:PORT (the store the stream or materialize fills)");
    }
    Duration refresh;
    try {
      refresh = Duration.parse(options.getModelRefresh());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--modelRefresh must be an ISO-8601 duration such as PT10S, got '"
              + options.getModelRefresh()
              + "'");
    }
    ServingModels models =
        ServingModels.start(
            options.getRegistry(),
            options.getModel(),
            options.getChallenger(),
            options.getChallengerShare(),
            refresh);
    RedisOnlineStore store = null;
    AuditLog audit = null;
    try {
      OnlineStoreConfig config =
          OnlineStoreOptions.configFor(options, models.champion().model().spec());
      store = RedisOnlineStore.connect(config, 64, 1000);
      audit = auditLog(options);
      ServingServer server =
          ServingServer.start(
              ServingServer.Config.defaults()
                  .withHost(options.getHost())
                  .withPort(options.getPort())
                  .withMaxBodyBytes(options.getMaxBodyBytes()),
              new OnlineScorer(store, models),
              key,
              audit,
              telemetry);
      return new ServingStack(models, store, audit, server);
    } catch (RuntimeException e) {
      if (audit != null) {
        audit.close();
      }
      if (store != null) {
        store.close();
      }
      models.close();
      throw e;
    }
  }

  private static AuditLog auditLog(ServeOptions options) {
    String topic = options.getServeAuditTopic();
    if (topic != null && !topic.isBlank()) {
      if (options.getAuditBootstrapServers() == null
          || options.getAuditBootstrapServers().isBlank()) {
        throw new IllegalArgumentException("--serveAuditTopic needs --auditBootstrapServers");
      }
      return new KafkaAuditLog(options.getAuditBootstrapServers(), topic);
    }
    return new FileAuditLog(Path.of(options.getAuditDir()));
  }

  public ServingServer server() {
    return server;
  }

  public ServingModels models() {
    return models;
  }

  public RedisOnlineStore store() {
    return store;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  @Override
  public void close() {
    server.close();
    audit.close();
    store.close();
    models.close();
  }
}
