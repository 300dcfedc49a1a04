package io.beamml.inference.registry;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A compare-and-set alias move lost: another writer moved the alias after this one read it, so the
 * decision (e.g. the promotion gate's comparison with the holder) was about a stale state.
 */
public final class AliasConflictException extends RuntimeException {

  private final @Nullable String expected;
  private final @Nullable String actual;

  public AliasConflictException(
      String name,
      String alias,
      @Nullable String expected,
      @Nullable String actual,
      String wanted) {
    super(
        name
            + "@"
            + alias
            + " was expected at "
            + label(expected)
            + " but another writer moved it to "
            + label(actual)
            + " meanwhile: not moved to "
            + wanted
            + "; re-run to decide against the new holder");
    this.expected = expected;
    this.actual = actual;
  }

  public @Nullable String expected() {
    return expected;
  }

  public @Nullable String actual() {
    return actual;
  }

  private static String label(@Nullable String version) {
    return version == null ? "(no version)" : "version " + version;
  }
}
