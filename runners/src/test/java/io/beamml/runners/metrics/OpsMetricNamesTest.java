package io.beamml.runners.metrics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * Every {@code beamml_*} metric the dashboards and alert rules under {@code ops/} use is served by
 * a job's endpoint: by the scrape of a real backfill, drift report, quality report or streaming job
 * ({@link ScrapedJobs}). A name matches a sample name or a metric family ({@code # TYPE}) exactly,
 * so a counter must be named with {@code _total} and a distribution by {@code _count}, {@code
 * _sum}, {@code _min}, {@code _max} or its family name; a name cut short in a regular expression
 * (ending in {@code _}) must begin an exported one. Files named {@code flink-*} describe what
 * Prometheus makes of Flink's own reporter on a session cluster: names found only there are not the
 * endpoint's to serve.
 */
public class OpsMetricNamesTest {

  private static final Pattern NAME = Pattern.compile("beamml_[a-z0-9_]+");

  @Test
  public void everyMetricTheOpsFilesUseIsExported() throws Exception {
    Path ops = ScrapedJobs.ROOT.resolve("ops");
    assertTrue("the dashboards and alert rules belong in " + ops, Files.isDirectory(ops));
    Map<String, Set<String>> usedIn = namesUsed(ops);
    assertThat("no beamml_ metric is named under " + ops, usedIn.keySet(), not(empty()));

    ScrapedJobs jobs = ScrapedJobs.get();
    Set<String> exported = new TreeSet<>();
    for (Scrape s :
        List.of(
            jobs.backfill,
            jobs.driftReport,
            jobs.qualityReport,
            jobs.streamFirst,
            jobs.streamSecond)) {
      exported.addAll(s.names());
      exported.addAll(s.families);
    }
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, Set<String>> used : usedIn.entrySet()) {
      String name = used.getKey();
      boolean onlyFlink = used.getValue().stream().allMatch(f -> f.startsWith("flink-"));
      boolean found =
          name.endsWith("_")
              ? exported.stream().anyMatch(e -> e.startsWith(name))
              : exported.contains(name);
      if (!found && !onlyFlink) {
        missing.add(name + " (" + String.join(", ", used.getValue()) + ")");
      }
    }
    assertThat(
        "named under ops/ but served by none of the jobs; they serve "
            + exported.stream().filter(e -> e.startsWith("beamml_")).toList(),
        missing,
        empty());
  }

  /** Each beamml_ name in ops/**.{json,yml,yaml}, with the names of the files it is in. */
  private static Map<String, Set<String>> namesUsed(Path ops) throws IOException {
    Map<String, Set<String>> used = new TreeMap<>();
    try (Stream<Path> files = Files.walk(ops)) {
      for (Path f :
          (Iterable<Path>)
              files
                      .filter(Files::isRegularFile)
                      .filter(f -> f.getFileName().toString().matches(".*\\.(json|ya?ml)"))
                  ::iterator) {
        Matcher m = NAME.matcher(Files.readString(f, StandardCharsets.UTF_8));
        while (m.find()) {
          used.computeIfAbsent(m.group(), k -> new TreeSet<>()).add(f.getFileName().toString());
        }
      }
    }
    return used;
  }
}
