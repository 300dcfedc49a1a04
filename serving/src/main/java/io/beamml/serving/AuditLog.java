package io.beamml.serving;

import io.beamml.schemas.AuditRecord;
import java.util.List;

/**
 * Where the server's audit records go: one per scored customer, keyed by the pseudonymised
 * customer. The launcher picks the destination: JSON Lines files, where a write that fails fails
 * the request (no score without its record), or a Kafka topic, sent asynchronously so a request
 * does not wait for the broker.
 */
public interface AuditLog extends AutoCloseable {

  void write(List<AuditRecord> records);

  @Override
  default void close() {}
}
