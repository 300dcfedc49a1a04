package io.beamml.serving;

import io.beamml.schemas.AuditRecord;
import java.util.List;

/**
 * Where the server's audit records go: one per scored customer, keyed by the pseudonymised
 * customer. The launcher picks the destination (a Kafka topic or JSON Lines files); a write that
 * fails fails the request, so no score is given without its record.
 */
public interface AuditLog extends AutoCloseable {

  void write(List<AuditRecord> records);

  @Override
  default void close() {}
}
