package io.beamml.pipelines.options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Checks, before a job starts, that every input flag given matches at least one file, through
 * Beam's file systems (so {@code gs://} patterns too). A pattern that matches nothing is almost
 * always a typo ({@code *.json} for {@code *.jsonl}); a run that read nothing and said "balanced"
 * would hide it.
 */
public final class InputPatterns {

  /**
   * A path segment of a run's unpublished attempt directory ({@code .NAME.attempt-...}, see
   * RunOutput).
   */
  private static final Pattern ATTEMPT_DIR = Pattern.compile("/\\.[^/]+\\.attempt-[^/]+/");

  private final Map<String, String> patterns = new LinkedHashMap<>();

  private InputPatterns() {}

  public static InputPatterns create() {
    return new InputPatterns();
  }

  /**
   * The file inputs every batch job over raw data takes: clicks, sales, profiles and a feature
   * spec.
   */
  public static InputPatterns of(InputOptions options) {
    return create()
        .flag("clicks", options.getClicks())
        .flag("sales", options.getSales())
        .flag("profiles", options.getProfiles())
        .flag("featureSpec", options.getFeatureSpec());
  }

  /** Adds {@code --name=pattern}; a flag not given (null or blank) is not checked. */
  public InputPatterns flag(String name, @Nullable String pattern) {
    if (pattern != null && !pattern.isBlank()) {
      patterns.put(name, pattern);
    }
    return this;
  }

  /**
   * Throws {@link InputMissingException} naming the first flag whose pattern matches no file.
   *
   * @throws UncheckedIOException if a file system cannot be listed at all
   */
  public void requireMatches() {
    for (Map.Entry<String, String> p : patterns.entrySet()) {
      List<MatchResult.Metadata> files = match(p.getValue());
      if (files.isEmpty()) {
        throw new InputMissingException(
            "--" + p.getKey() + "=" + p.getValue() + " matches no file");
      }
      for (MatchResult.Metadata f : files) {
        if (ATTEMPT_DIR.matcher(f.resourceId().toString()).find()) {
          throw new InputMissingException(
              "--"
                  + p.getKey()
                  + "="
                  + p.getValue()
                  + " matches "
                  + f.resourceId()
                  + ", in the attempt directory of a run that has not been published: narrow the pattern");
        }
      }
    }
  }

  private static List<MatchResult.Metadata> match(String pattern) {
    try {
      MatchResult match = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      return match.status() == MatchResult.Status.OK ? match.metadata() : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + pattern, e);
    }
  }
}
