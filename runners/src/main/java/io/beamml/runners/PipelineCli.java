package io.beamml.runners;

import io.beamml.runners.commands.BackfillCommand;
import io.beamml.runners.commands.DriftReportCommand;
import io.beamml.runners.commands.ExportModelCommand;
import io.beamml.runners.commands.MaterializeCommand;
import io.beamml.runners.commands.PromoteModelCommand;
import io.beamml.runners.commands.QualityReportCommand;
import io.beamml.runners.commands.RegisterModelCommand;
import io.beamml.runners.commands.RetrainCommand;
import io.beamml.runners.commands.ScoreCommand;
import io.beamml.runners.commands.ServeCommand;
import io.beamml.runners.commands.StopStreamCommand;
import io.beamml.runners.commands.StreamCommand;
import io.beamml.runners.commands.TrainModelCommand;
import io.beamml.runners.commands.TrainingSetCommand;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The one launcher behind {@code ./pipeline}: the first word picks the job, the rest are Beam
 * pipeline options handed to {@link PipelineOptionsFactory}, so {@code --runner}, {@code
 * --flinkMaster} and every other runner flag work unchanged.
 */
public final class PipelineCli {

  public static final int OK = ExitCode.OK.code();
  public static final int FAILED = ExitCode.RUNTIME_FAILURE.code();
  public static final int USAGE = ExitCode.USAGE.code();

  /** Launcher flag: print the stack trace of an expected failure too. */
  public static final String VERBOSE = "--verbose";

  private final Map<String, Subcommand> subcommands = new LinkedHashMap<>();

  public PipelineCli(List<Subcommand> commands) {
    for (Subcommand c : commands) {
      subcommands.put(c.name(), c);
    }
  }

  /** Every subcommand, in the order --help lists them. */
  public Collection<Subcommand> subcommands() {
    return Collections.unmodifiableCollection(subcommands.values());
  }

  /**
   * The subcommand of that word, if the launcher has one (deployment manifests are checked against
   * it).
   */
  public Optional<Subcommand> subcommand(String name) {
    return Optional.ofNullable(subcommands.get(name));
  }

  /**
   * The production subcommands, then any a jar on the classpath registers as a {@link Subcommand}
   * service: the dev-tools jar that {@code ./pipeline} runs adds generate, demo and the benchmarks,
   * which the production jar does not carry.
   */
  public static PipelineCli standard() {
    List<Subcommand> commands =
        new ArrayList<>(
            List.of(
                new BackfillCommand(),
                new TrainingSetCommand(),
                new TrainModelCommand(),
                new PromoteModelCommand(),
                new RetrainCommand(),
                new RegisterModelCommand(),
                new ExportModelCommand(),
                new ScoreCommand(),
                new StreamCommand(),
                new StopStreamCommand(),
                new QualityReportCommand(),
                new DriftReportCommand(),
                new MaterializeCommand(),
                new ServeCommand()));
    ServiceLoader.load(Subcommand.class, PipelineCli.class.getClassLoader()).forEach(commands::add);
    return new PipelineCli(commands);
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    int code = standard().run(args, System.out, System.err);
    // Some runners (Kafka's exactly-once sink, Flink) leave non-daemon threads behind.
    System.exit(code);
  }

  public int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0
        || args[0].equals("--help")
        || args[0].equals("-h")
        || args[0].equals("help")) {
      printUsage(out);
      return args.length == 0 ? USAGE : OK;
    }
    Subcommand command = subcommands.get(args[0]);
    if (command == null) {
      err.println("pipeline: unknown subcommand '" + args[0] + "'");
      printUsage(err);
      return USAGE;
    }
    List<String> given =
        new ArrayList<>(Arrays.asList(Args.normalize(Arrays.copyOfRange(args, 1, args.length))));
    boolean verbose = given.remove(VERBOSE);
    String[] rest = given.toArray(new String[0]);
    if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
      out.println("pipeline " + command.name() + ": " + command.summary());
      out.println();
      PipelineOptionsFactory.register(command.optionsClass());
      PipelineOptionsFactory.printHelp(out, command.optionsClass());
      for (Class<? extends PipelineOptions> more : command.launcherOptions()) {
        printOwnFlags(out, more);
      }
      return OK;
    }
    try {
      return command.run(rest);
    } catch (Exception e) {
      return fail(command.name(), e, verbose, err);
    }
  }

  /**
   * One line for a failure the user can fix (its exit code says which kind, see {@link ExitCode});
   * the stack trace only with {@code --verbose}, or for a failure nobody expected.
   */
  static int fail(String name, Exception e, boolean verbose, PrintStream err) {
    ExitCode code = ExitCode.of(e);
    Throwable expected = ExitCode.expectedCause(e);
    if (expected != null) {
      err.println("pipeline " + name + ": " + expected.getMessage());
    } else if (code == ExitCode.USAGE) {
      err.println("pipeline " + name + ": " + e.getMessage());
      err.println("Run './pipeline " + name + " --help' for its options.");
    } else {
      err.println("pipeline " + name + " failed: " + rootMessage(e));
      verbose = true;
    }
    if (verbose) {
      e.printStackTrace(err);
    }
    return code.code();
  }

  private void printUsage(PrintStream out) {
    out.println("usage: ./pipeline SUBCOMMAND [--flag=value ...]");
    out.println();
    out.println("Subcommands:");
    for (Subcommand c : subcommands.values()) {
      out.printf("  %-14s %s%n", c.name(), c.summary());
    }
    out.println();
    out.println(
        "Every subcommand takes Beam pipeline options. backfill, training-set and score run on");
    out.println(
        "embedded Flink by default (--runner=DirectRunner for the Direct runner), the others on the");
    out.println(
        "Direct runner (--runner=FlinkRunner --flinkMaster=[local] for embedded Flink); --flinkMaster=HOST:PORT");
    out.println(
        "runs on a Flink 1.19 cluster. './pipeline SUBCOMMAND --help' lists a subcommand's flags;");
    out.println(VERBOSE + " prints the stack trace of any failure.");
    out.println();
    out.println("Exit codes:");
    for (ExitCode c : ExitCode.values()) {
      out.printf("  %d  %s%n", c.code(), c.meaning());
    }
  }

  /**
   * The flags an options interface declares itself, in the layout of Beam's help; Beam's own
   * printHelp would list the base PipelineOptions a second time.
   */
  static void printOwnFlags(PrintStream out, Class<? extends PipelineOptions> options) {
    out.println(options.getName() + ":");
    out.println();
    Method[] methods = options.getDeclaredMethods();
    Arrays.sort(methods, Comparator.comparing(Method::getName));
    for (Method m : methods) {
      if (!m.getName().startsWith("get") || m.getParameterCount() != 0) {
        continue;
      }
      String flag = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
      out.println("  --" + flag + "=<" + m.getReturnType().getSimpleName() + ">");
      for (Annotation a : m.getAnnotations()) {
        if (a.annotationType().getEnclosingClass() == Default.class) {
          try {
            out.println("    Default: " + a.annotationType().getMethod("value").invoke(a));
          } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + a, e);
          }
        }
      }
      Description description = m.getAnnotation(Description.class);
      if (description != null) {
        StringBuilder line = new StringBuilder("   ");
        for (String word : description.value().split(" ")) {
          if (line.length() + word.length() + 1 > 80) {
            out.println(line);
            line = new StringBuilder("   ");
          }
          line.append(' ').append(word);
        }
        out.println(line);
      }
    }
    out.println();
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + t + ")";
  }
}
