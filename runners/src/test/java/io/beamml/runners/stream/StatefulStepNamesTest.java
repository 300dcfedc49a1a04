package io.beamml.runners.stream;

import static org.junit.Assert.assertEquals;

import io.beamml.pipelines.stream.StreamOptions;
import io.beamml.pipelines.stream.StreamPipeline;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The stream's stateful steps keep their names: a savepoint's state is matched to the resumed job
 * by operator uid, which Beam's Flink runner takes from the step's full name, so a renamed step
 * silently resumes empty (dedup forgets ids, feature histories restart, offsets are lost). The
 * names are checked against the committed list {@code stateful-steps.txt}, built with every
 * optional output on, both delivery guarantees and both feature modes. A deliberate rename breaks
 * savepoint upgrades: change the list only with a note in the README's upgrade section.
 */
public class StatefulStepNamesTest {

  @ClassRule public static final TemporaryFolder WORK = new TemporaryFolder();

  @Test
  public void statefulStepsKeepTheNamesSavepointsKnowThemBy() throws Exception {
    String registry = WORK.newFolder("registry").toString();
    RegisteredModels.registerChampion(registry, 1);
    Path profiles = WORK.newFolder("profiles").toPath();
    Files.writeString(profiles.resolve("p.csv"), "customer_id,age,gender,country,signup_date\n");
    Set<String> names = new TreeSet<>();
    for (String flags : new String[] {"at_least_once exact", "exactly_once low_latency"}) {
      String guarantee = flags.split(" ")[0];
      PipelineOptionsFactory.register(StreamOptions.class);
      StreamOptions options =
          PipelineOptionsFactory.fromArgs(
                  "--bootstrapServers=127.0.0.1:9",
                  "--registry=" + registry,
                  "--model=" + RegisteredModels.NAME + "@champion",
                  "--profiles=" + profiles + "/*.csv",
                  "--featuresTopic=features",
                  "--duplicatesTopic=duplicates",
                  "--deliveryGuarantee=" + guarantee,
                  "--featureMode=" + flags.split(" ")[1],
                  "--checkpointingInterval=1000")
              .withValidation()
              .as(StreamOptions.class);
      Pipeline p = Pipeline.create(options);
      StreamPipeline.build(p, options, StreamJobs.KEY);
      names.addAll(StatefulSteps.of(p));
    }
    String found = names.stream().collect(Collectors.joining("\n"));
    // Beside the test's output, so a deliberate change can be copied into the list.
    Files.writeString(Path.of("target", "stateful-steps.found.txt"), found + "\n");
    assertEquals(
        "the stream's stateful steps (see stateful-steps.txt; found: target/stateful-steps.found.txt)",
        committed(),
        found);
  }

  private static String committed() throws IOException {
    try (InputStream in = StatefulStepNamesTest.class.getResourceAsStream("stateful-steps.txt")) {
      return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .collect(Collectors.joining("\n"));
    }
  }
}
