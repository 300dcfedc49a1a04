package io.beamml.runners.local;

/**
 * Lowers the broker's, Kafka clients' and Flink's own INFO chatter to WARN for slf4j-simple, so a
 * test's output shows what went wrong. Levels apply to loggers created afterwards, so test classes
 * call this from a static initializer; a level set on the command line wins.
 */
final class QuietLogs {

  private static final String[] NOISY = {
    "kafka",
    "org.apache.kafka",
    "state.change.logger",
    "org.apache.flink",
    "org.apache.beam.runners.flink"
  };

  private QuietLogs() {}

  static void apply() {
    for (String logger : NOISY) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }
}
