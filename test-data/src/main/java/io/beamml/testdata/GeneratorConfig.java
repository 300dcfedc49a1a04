package io.beamml.testdata;

import java.time.LocalDate;
import java.util.Objects;

/**
 * What to generate. Immutable; start from {@link #of(int, int, long)} and refine with the {@code
 * withX} methods. Two generations with equal configs write identical bytes.
 */
public final class GeneratorConfig {
  /** First day of the generated period (days are UTC days). */
  public static final LocalDate DEFAULT_START_DATE = LocalDate.of(2026, 1, 1);

  public static final double DEFAULT_BAD_ROW_RATE = 0.01;
  public static final double DEFAULT_DUPLICATE_RATE = 0.01;

  /** Customer ids are {@code C} plus seven digits. */
  public static final int MAX_CUSTOMERS = 9_000_000;

  private final int customers;
  private final int days;
  private final long seed;
  private final LocalDate startDate;
  private final double badRowRate;
  private final double duplicateRate;
  private final boolean includeOversizedLines;

  private GeneratorConfig(
      int customers,
      int days,
      long seed,
      LocalDate startDate,
      double badRowRate,
      double duplicateRate,
      boolean includeOversizedLines) {
    if (customers < 1 || customers > MAX_CUSTOMERS) {
      throw new IllegalArgumentException(
          "customers must be in 1.." + MAX_CUSTOMERS + ", got " + customers);
    }
    if (days < 1 || days > 3660) {
      throw new IllegalArgumentException("days must be in 1..3660, got " + days);
    }
    Objects.requireNonNull(startDate, "startDate");
    if (startDate.getYear() < 2000 || startDate.getYear() > 2090) {
      throw new IllegalArgumentException("startDate must be in 2000..2090, got " + startDate);
    }
    checkRate("badRowRate", badRowRate);
    checkRate("duplicateRate", duplicateRate);
    this.customers = customers;
    this.days = days;
    this.seed = seed;
    this.startDate = startDate;
    this.badRowRate = badRowRate;
    this.duplicateRate = duplicateRate;
    this.includeOversizedLines = includeOversizedLines;
  }

  private static void checkRate(String name, double rate) {
    if (!(rate >= 0.0 && rate <= 0.5)) {
      throw new IllegalArgumentException(name + " must be in [0, 0.5], got " + rate);
    }
  }

  /** A config with the defaults: start 2026-01-01, 1% bad rows, 1% duplicates, oversized lines. */
  public static GeneratorConfig of(int customers, int days, long seed) {
    return new GeneratorConfig(
        customers,
        days,
        seed,
        DEFAULT_START_DATE,
        DEFAULT_BAD_ROW_RATE,
        DEFAULT_DUPLICATE_RATE,
        true);
  }

  public GeneratorConfig withCustomers(int customers) {
    return new GeneratorConfig(
        customers, days, seed, startDate, badRowRate, duplicateRate, includeOversizedLines);
  }

  public GeneratorConfig withDays(int days) {
    return new GeneratorConfig(
        customers, days, seed, startDate, badRowRate, duplicateRate, includeOversizedLines);
  }

  public GeneratorConfig withSeed(long seed) {
    return new GeneratorConfig(
        customers, days, seed, startDate, badRowRate, duplicateRate, includeOversizedLines);
  }

  public GeneratorConfig withStartDate(LocalDate startDate) {
    return new GeneratorConfig(
        customers, days, seed, startDate, badRowRate, duplicateRate, includeOversizedLines);
  }

  /**
   * Share of bad rows per source, spread over the reason codes. At 0 no bad rows are written at
   * all; above 0 every applicable reason appears at least once.
   */
  public GeneratorConfig withBadRowRate(double badRowRate) {
    return new GeneratorConfig(
        customers, days, seed, startDate, badRowRate, duplicateRate, includeOversizedLines);
  }

  /** Share of extra re-deliveries of valid rows per source; at 0 none, above 0 at least one. */
  public GeneratorConfig withDuplicateRate(double duplicateRate) {
    return new GeneratorConfig(
        customers, days, seed, startDate, badRowRate, duplicateRate, includeOversizedLines);
  }

  /**
   * Whether clicks and sales each get one line over 1 MiB (reason {@code line_too_long}). Only
   * written when bad rows are on.
   */
  public GeneratorConfig withIncludeOversizedLines(boolean includeOversizedLines) {
    return new GeneratorConfig(
        customers, days, seed, startDate, badRowRate, duplicateRate, includeOversizedLines);
  }

  public int customers() {
    return customers;
  }

  public int days() {
    return days;
  }

  public long seed() {
    return seed;
  }

  public LocalDate startDate() {
    return startDate;
  }

  public double badRowRate() {
    return badRowRate;
  }

  public double duplicateRate() {
    return duplicateRate;
  }

  public boolean includeOversizedLines() {
    return includeOversizedLines;
  }

  /** Start of the period, epoch milliseconds (midnight UTC of {@link #startDate()}). */
  public long startEpochMs() {
    return startDate.toEpochDay() * IsoTime.MS_PER_DAY;
  }

  /** End of the period, exclusive, epoch milliseconds. */
  public long endEpochMs() {
    return startEpochMs() + days * IsoTime.MS_PER_DAY;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GeneratorConfig)) {
      return false;
    }
    GeneratorConfig that = (GeneratorConfig) o;
    return customers == that.customers
        && days == that.days
        && seed == that.seed
        && startDate.equals(that.startDate)
        && Double.compare(badRowRate, that.badRowRate) == 0
        && Double.compare(duplicateRate, that.duplicateRate) == 0
        && includeOversizedLines == that.includeOversizedLines;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        customers, days, seed, startDate, badRowRate, duplicateRate, includeOversizedLines);
  }

  @Override
  public String toString() {
    return "GeneratorConfig{customers="
        + customers
        + ", days="
        + days
        + ", seed="
        + seed
        + ", startDate="
        + startDate
        + ", badRowRate="
        + badRowRate
        + ", duplicateRate="
        + duplicateRate
        + ", includeOversizedLines="
        + includeOversizedLines
        + '}';
  }
}
