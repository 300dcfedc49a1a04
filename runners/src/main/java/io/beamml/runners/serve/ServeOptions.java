package io.beamml.runners.serve;

import io.beamml.pipelines.online.OnlineStoreOptions;
import io.beamml.pipelines.options.HmacKeyOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Flags of {@code ./pipeline serve} (and the server that {@code benchmark-serve} starts). */
public interface ServeOptions extends HmacKeyOptions, OnlineStoreOptions {

  @Description("Model registry root (local or any Beam file system)")
  @Validation.Required
  String getRegistry();

  void setRegistry(String value);

  @Description("Model to serve: NAME@ALIAS (followed while serving) or NAME:VERSION")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description("Optional challenger model: NAME@ALIAS or NAME:VERSION, scored for --challengerShare of customers")
  String getChallenger();

  void setChallenger(String value);

  @Description("Share of customers (by a stable bucket of their pseudonymised key) scored by the challenger")
  @Default.Double(0.1)
  Double getChallengerShare();

  void setChallengerShare(Double value);

  @Description("How often followed aliases are re-read, as an ISO-8601 duration")
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

  @Description("Directory for the audit records as JSON Lines (one file per UTC day), when --auditTopic is not given")
  @Default.String("serve-audit")
  String getAuditDir();

  void setAuditDir(String value);

  @Description("Kafka topic for the audit records (JSON keyed by pseudonymised customer); needs --bootstrapServers")
  @Default.String("")
  String getAuditTopic();

  void setAuditTopic(String value);

  @Description("Kafka bootstrap servers for --auditTopic")
  @Default.String("")
  String getBootstrapServers();

  void setBootstrapServers(String value);
}
