package io.beamml.runners;

import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/** One word of the launcher: {@code ./pipeline WORD --flag=value ...}. */
public interface Subcommand {

  String name();

  /** One line for the launcher's --help. */
  String summary();

  /** The options interface whose flags this subcommand takes, for --help. */
  Class<? extends PipelineOptions> optionsClass();

  /**
   * Further options interfaces it takes (the launcher's own, e.g. the metrics endpoint), for
   * --help.
   */
  default List<Class<? extends PipelineOptions>> launcherOptions() {
    return List.of();
  }

  /** Runs with the arguments after the word; returns the process exit code. */
  int run(String[] args) throws Exception;
}
