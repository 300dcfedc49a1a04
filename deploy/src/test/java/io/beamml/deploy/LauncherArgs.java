package io.beamml.deploy;

import io.beamml.runners.OptionFlags;
import io.beamml.runners.PipelineCli;
import io.beamml.runners.Subcommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Checks a container's args ({@code WORD --flag=value ...}) against the launcher itself: the word
 * must be one of its subcommands and every flag one that subcommand takes (its own, the launcher's,
 * or a Beam/runner flag), as {@code ./pipeline} would parse them. A manifest with a misspelt or
 * another job's flag would otherwise only fail when the pod starts.
 */
final class LauncherArgs {

  private LauncherArgs() {}

  /** The failures, empty when the args are what the launcher accepts. */
  static List<String> problems(List<String> args) {
    List<String> problems = new ArrayList<>();
    if (args.isEmpty()) {
      return List.of("no subcommand");
    }
    Subcommand command = PipelineCli.standard().subcommand(args.get(0)).orElse(null);
    if (command == null) {
      return List.of("unknown subcommand '" + args.get(0) + "'");
    }
    Set<String> own = new TreeSet<>(OptionFlags.of(command.optionsClass()));
    for (Class<? extends PipelineOptions> launcher : command.launcherOptions()) {
      own.addAll(OptionFlags.of(launcher));
    }
    PipelineOptionsFactory.register(command.optionsClass());
    PipelineOptionsFactory.register(FlinkPipelineOptions.class);
    Set<String> beams = new TreeSet<>();
    for (Class<? extends PipelineOptions> registered :
        PipelineOptionsFactory.getRegisteredOptions()) {
      if (!registered.getName().startsWith("io.beamml.")) {
        beams.addAll(OptionFlags.of(registered));
      }
    }
    for (String arg : args.subList(1, args.size())) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        problems.add("'" + arg + "' is not --flag=value");
        continue;
      }
      String flag = arg.substring(2, arg.indexOf('='));
      if (!own.contains(flag) && !beams.contains(flag)) {
        problems.add("--" + flag + " is not a flag of '" + command.name() + "'");
      }
    }
    return problems;
  }

  /** The value of {@code --flag=} in the args, or null. */
  static String value(List<String> args, String flag) {
    for (String arg : args) {
      if (arg.startsWith("--" + flag + "=")) {
        return arg.substring(flag.length() + 3);
      }
    }
    return null;
  }
}
