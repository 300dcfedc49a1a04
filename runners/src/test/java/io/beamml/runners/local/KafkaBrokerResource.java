package io.beamml.runners.local;

import io.beamml.local.EmbeddedKafkaBroker;
import org.junit.rules.ExternalResource;

/**
 * One embedded Kafka broker for a test class, started before its {@code @BeforeClass} methods and
 * closed after everything else: {@code @ClassRule public static final KafkaBrokerResource KAFKA =
 * new KafkaBrokerResource();}
 */
public final class KafkaBrokerResource extends ExternalResource {

  private EmbeddedKafkaBroker broker;

  @Override
  protected void before() {
    broker = EmbeddedKafkaBroker.start();
  }

  @Override
  protected void after() {
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }

  /** The running broker; only between the class's start and end. */
  public EmbeddedKafkaBroker broker() {
    if (broker == null) {
      throw new IllegalStateException(
          "the broker runs only while its test class does: use it as a @ClassRule");
    }
    return broker;
  }
}
