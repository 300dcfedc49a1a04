package io.beamml.runners.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * The Prometheus rules and the Alertmanager configuration under {@code ops/} checked by the
 * projects' own tools (Debian's {@code prometheus} and {@code prometheus-alertmanager} packages;
 * {@code .ci/run} installs them): every rules file passes {@code promtool check rules}, every rules
 * unit test ({@code ops/prometheus/tests/}) passes {@code promtool test rules}, and {@code amtool}
 * accepts the configuration and routes pages to PagerDuty, the rest to the team. Skipped, saying
 * so, only where a tool is not installed.
 */
public class OpsRulesTest {

  private static final Path OPS = ScrapedJobs.ROOT.resolve("ops");

  @Test
  public void everyRulesFilePassesPromtool() throws Exception {
    requireTool("promtool", "prometheus");
    List<Path> rules =
        yamlFiles(OPS.resolve("prometheus")).stream()
            .filter(f -> text(f).contains("\ngroups:"))
            .toList();
    assertTrue("rules files under ops/prometheus: " + rules, rules.size() >= 2);
    for (Path f : rules) {
      Run r = run(OPS.resolve("prometheus"), "promtool", "check", "rules", f.toString());
      assertEquals(f + ":\n" + r.output, 0, r.exit);
    }
  }

  @Test
  public void theRulesUnitTestsPass() throws Exception {
    requireTool("promtool", "prometheus");
    List<Path> tests = yamlFiles(OPS.resolve("prometheus/tests"));
    assertTrue("no rules unit test under ops/prometheus/tests", !tests.isEmpty());
    for (Path f : tests) {
      Run r = run(f.getParent(), "promtool", "test", "rules", f.getFileName().toString());
      assertEquals(f + ":\n" + r.output, 0, r.exit);
      assertTrue(r.output, r.output.contains("SUCCESS"));
    }
  }

  @Test
  public void alertmanagerRoutesPagesToPagerDutyAndTheRestToTheTeam() throws Exception {
    requireTool("amtool", "prometheus-alertmanager");
    String config = OPS.resolve("alertmanager/alertmanager.yml").toString();
    Run check = run(OPS, "amtool", "check-config", config);
    assertEquals(check.output, 0, check.exit);
    assertTrue(check.output, check.output.contains("SUCCESS"));
    assertTrue(text(Path.of(config)).contains("pagerduty_configs"));
    assertEquals(
        "on-call,ml-team", route(config, "severity=page", "alertname=BeammlLiveAucBelowTest"));
    assertEquals("ml-team", route(config, "severity=ticket", "alertname=BeammlFeatureDrift"));
    assertEquals("ml-team", route(config, "alertname=SomethingUnlabelled"));
    Run verify =
        run(
            OPS,
            "amtool",
            "config",
            "routes",
            "test",
            "--config.file=" + config,
            "--verify.receivers=on-call,ml-team",
            "severity=page");
    assertEquals(verify.output, 0, verify.exit);
  }

  private static String route(String config, String... labels) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("amtool", "config", "routes", "test", "--config.file=" + config));
    command.addAll(List.of(labels));
    Run r = run(OPS, false, command.toArray(String[]::new));
    assertEquals(r.output, 0, r.exit);
    return r.output.strip();
  }

  private static void requireTool(String tool, String debianPackage) {
    boolean found = false;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      found |= Files.isExecutable(Path.of(dir, tool));
    }
    assumeTrue(
        tool
            + " is not installed, so this check is skipped: apt-get install -y "
            + debianPackage
            + " (.ci/run installs it)",
        found);
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> f.getFileName().toString().matches(".*\\.ya?ml"))
          .sorted()
          .toList();
    }
  }

  private static String text(Path f) {
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + f, e);
    }
  }

  private record Run(int exit, String output) {}

  private static Run run(Path dir, String... command) throws Exception {
    return run(dir, true, command);
  }

  /** Runs a tool; without {@code withErrors} its standard error (amtool's warnings) is left out. */
  private static Run run(Path dir, boolean withErrors, String... command) throws Exception {
    ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile());
    if (withErrors) {
      b.redirectErrorStream(true);
    } else {
      b.redirectError(ProcessBuilder.Redirect.DISCARD);
    }
    Process p = b.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(String.join(" ", command) + " did not finish", p.waitFor(60, TimeUnit.SECONDS));
    return new Run(p.exitValue(), output);
  }
}
