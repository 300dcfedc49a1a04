package io.beamml.testdata;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * Command line for {@link DataGenerator}: {@code --out=DIR --customers=N --days=D --seed=S},
 * optionally {@code --start-date=YYYY-MM-DD --bad-row-rate=R --duplicate-rate=R
 * --oversized-lines=true|false}. Options take {@code --name=value} or {@code --name value}. Other
 * code calls {@link #run(String[], PrintStream)}, which never exits the JVM.
 */
public final class Generate {
  public static final int DEFAULT_CUSTOMERS = 1000;
  public static final int DEFAULT_DAYS = 7;
  public static final long DEFAULT_SEED = 1L;

  static final String USAGE =
      "usage: Generate --out=DIR [--customers=N] [--days=D] [--seed=S] [--start-date=YYYY-MM-DD]\n"
          + "                [--bad-row-rate=R] [--duplicate-rate=R] [--oversized-lines=true|false]\n"
          + "defaults: --customers="
          + DEFAULT_CUSTOMERS
          + " --days="
          + DEFAULT_DAYS
          + " --seed="
          + DEFAULT_SEED
          + " --start-date="
          + GeneratorConfig.DEFAULT_START_DATE
          + " --bad-row-rate="
          + GeneratorConfig.DEFAULT_BAD_ROW_RATE
          + " --duplicate-rate="
          + GeneratorConfig.DEFAULT_DUPLICATE_RATE
          + " --oversized-lines=true";

  private static final java.util.Set<String> OPTIONS =
      java.util.Set.of(
          "out",
          "customers",
          "days",
          "seed",
          "start-date",
          "bad-row-rate",
          "duplicate-rate",
          "oversized-lines");

  private Generate() {}

  public static void main(String[] args) {
    try {
      run(args, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    } catch (IOException e) {
      System.err.println("generation failed: " + e);
      System.exit(1);
    }
  }

  /**
   * Parses {@code args}, generates, and prints the summary to {@code out}.
   *
   * @throws IllegalArgumentException for unknown options or bad values
   */
  public static GenerationManifest run(String[] args, PrintStream out) throws IOException {
    Arguments a = Arguments.parse(args);
    GenerationManifest manifest = DataGenerator.generate(a.config, a.outDir);
    out.print(manifest.summary());
    out.println("  wrote to " + a.outDir.toAbsolutePath().normalize());
    return manifest;
  }

  /** The parsed command line: where to write and what. */
  static final class Arguments {
    final Path outDir;
    final GeneratorConfig config;

    private Arguments(Path outDir, GeneratorConfig config) {
      this.outDir = outDir;
      this.config = config;
    }

    static Arguments parse(String[] args) {
      Objects.requireNonNull(args, "args");
      Path out = null;
      int customers = DEFAULT_CUSTOMERS;
      int days = DEFAULT_DAYS;
      long seed = DEFAULT_SEED;
      LocalDate start = GeneratorConfig.DEFAULT_START_DATE;
      double badRowRate = GeneratorConfig.DEFAULT_BAD_ROW_RATE;
      double duplicateRate = GeneratorConfig.DEFAULT_DUPLICATE_RATE;
      boolean oversized = true;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (!arg.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument: " + arg);
        }
        String name;
        String value;
        int eq = arg.indexOf('=');
        if (eq >= 0) {
          name = arg.substring(2, eq);
          value = arg.substring(eq + 1);
        } else {
          name = arg.substring(2);
          if (name.equals("help")) {
            throw new IllegalArgumentException("help requested");
          }
          if (!OPTIONS.contains(name)) {
            throw new IllegalArgumentException("unknown option --" + name);
          }
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("missing value for --" + name);
          }
          value = args[++i];
        }
        switch (name) {
          case "out":
            if (value.isEmpty()) {
              throw new IllegalArgumentException("--out must not be empty");
            }
            out = Paths.get(value);
            break;
          case "customers":
            customers = parseInt(name, value);
            break;
          case "days":
            days = parseInt(name, value);
            break;
          case "seed":
            seed = parseLong(name, value);
            break;
          case "start-date":
            try {
              start = LocalDate.parse(value);
            } catch (DateTimeParseException e) {
              throw new IllegalArgumentException("--start-date must be YYYY-MM-DD: " + value, e);
            }
            break;
          case "bad-row-rate":
            badRowRate = parseDouble(name, value);
            break;
          case "duplicate-rate":
            duplicateRate = parseDouble(name, value);
            break;
          case "oversized-lines":
            if (!value.equals("true") && !value.equals("false")) {
              throw new IllegalArgumentException("--oversized-lines must be true or false");
            }
            oversized = Boolean.parseBoolean(value);
            break;
          default:
            throw new IllegalArgumentException("unknown option --" + name);
        }
      }
      if (out == null) {
        throw new IllegalArgumentException("--out is required");
      }
      GeneratorConfig config =
          GeneratorConfig.of(customers, days, seed)
              .withStartDate(start)
              .withBadRowRate(badRowRate)
              .withDuplicateRate(duplicateRate)
              .withIncludeOversizedLines(oversized);
      return new Arguments(out, config);
    }

    private static int parseInt(String name, String value) {
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be an integer: " + value, e);
      }
    }

    private static long parseLong(String name, String value) {
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be an integer: " + value, e);
      }
    }

    private static double parseDouble(String name, String value) {
      try {
        return Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be a number: " + value, e);
      }
    }
  }
}
