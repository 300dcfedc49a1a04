package io.beamml.runners.stream;

import io.beamml.local.EmbeddedKafkaBroker;
import io.beamml.runners.local.KafkaBrokerResource;
import io.beamml.testdata.DataGenerator;
import io.beamml.testdata.GeneratorConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.rules.ExternalResource;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.TestRule;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;

/**
 * What a stream test on embedded Flink starts from, as one class rule: quiet logs, a work folder,
 * an embedded Kafka broker, a registry (with a synthetic champion, {@link #withChampion}) and
 * generated events ({@link #withEvents}). {@code @ClassRule public static final StreamTestBed
 * STREAM = StreamTestBed.create().withChampion(1).withEvents(GeneratorConfig.of(40, 4, 31));}
 */
final class StreamTestBed implements TestRule {

  private final Long championSeed;
  private final GeneratorConfig events;
  private final TemporaryFolder work = new TemporaryFolder();
  private final KafkaBrokerResource kafka = new KafkaBrokerResource();
  private String registry;
  private String champion;
  private Path data;

  private StreamTestBed(Long championSeed, GeneratorConfig events) {
    // Test classes create their rule in a static initializer, before the broker and Flink log.
    StreamJobs.quietLogs();
    this.championSeed = championSeed;
    this.events = events;
  }

  /** An empty registry, no events. */
  static StreamTestBed create() {
    return new StreamTestBed(null, null);
  }

  /** Registers {@link RegisteredModels#registerChampion} with {@code seed} before the tests. */
  StreamTestBed withChampion(long seed) {
    return new StreamTestBed(seed, events);
  }

  /** Generates events and profiles with {@code config} into {@link #data()} before the tests. */
  StreamTestBed withEvents(GeneratorConfig config) {
    return new StreamTestBed(championSeed, config);
  }

  @Override
  public Statement apply(Statement base, Description description) {
    return RuleChain.outerRule(work)
        .around(kafka)
        .around(
            new ExternalResource() {
              @Override
              protected void before() throws Throwable {
                registry = work.newFolder("registry").toString();
                if (championSeed != null) {
                  champion = RegisteredModels.registerChampion(registry, championSeed);
                }
                if (events != null) {
                  data = work.newFolder("data").toPath();
                  DataGenerator.generate(events, data);
                }
              }
            })
        .apply(base, description);
  }

  EmbeddedKafkaBroker broker() {
    return kafka.broker();
  }

  /** A new folder under the class's work folder. */
  File newFolder(String name) throws IOException {
    return work.newFolder(name);
  }

  String registry() {
    return registry;
  }

  /** The champion's version, when {@link #withChampion} asked for one. */
  String champion() {
    return champion;
  }

  /** The generated events' folder, when {@link #withEvents} asked for them. */
  Path data() {
    return data;
  }
}
