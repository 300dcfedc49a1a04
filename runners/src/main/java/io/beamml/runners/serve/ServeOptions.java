package io.beamml.runners.serve;

import io.beamml.pipelines.online.OnlineStoreOptions;
import io.beamml.pipelines.options.HmacKeyOptions;
import io.beamml.pipelines.options.ScoringOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Flags of {@code ./pipeline serve} (and the server that {@code benchmark-serve} starts). The model
 * flags are the batch and streaming scorers' ({@code --registry}, {@code --model}, {@code
 * --challenger}, {@code --challengerShare}, {@code --modelRefresh}); Beam options share one
 * namespace, so a flag another job defines is reused here with the same default, never redefined.
 */
public interface ServeOptions extends HmacKeyOptions, OnlineStoreOptions, ScoringOptions {

  @Description(
      "How often the scorer re-reads the registry's aliases (NAME@ALIAS models), as an ISO-8601 duration")
  @Default.String("PT10S")
  String getModelRefresh();

  void setModelRefresh(String value);

  @Description("Address to listen on (0.0.0.0 for every interface)")
  @Default.String("127.0.0.1")
  String getHost();

  void setHost(String value);

  @Description("HTTP port of the API and /metrics (0 = a free port)")
  @Default.Integer(8080)
  Integer getPort();

  void setPort(Integer value);

  @Description("Largest request body accepted, in bytes; larger ones get 413")
  @Default.Long(1 << 20)
  Long getMaxBodyBytes();

  void setMaxBodyBytes(Long value);

  @Description(
      "Directory for the audit records as JSON Lines (one file per UTC day), when --serveAuditTopic is not given")
  @Default.String("serve-audit")
  String getAuditDir();

  void setAuditDir(String value);

  @Description(
      "Kafka topic for the audit records (JSON keyed by pseudonymised customer) instead of files; needs --auditBootstrapServers")
  @Default.String("")
  String getServeAuditTopic();

  void setServeAuditTopic(String value);

  @Description("Kafka bootstrap servers for --serveAuditTopic")
  @Default.String("")
  String getAuditBootstrapServers();

  void setAuditBootstrapServers(String value);
}
