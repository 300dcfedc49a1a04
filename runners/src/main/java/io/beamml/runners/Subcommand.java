package io.beamml.runners;

import org.apache.beam.sdk.options.PipelineOptions;

/** One word of the launcher: {@code ./pipeline WORD --flag=value ...}. */
public interface Subcommand {

  String name();

  /** One line for the launcher's --help. */
  String summary();

  /** The options interface whose flags this subcommand takes, for --help. */
  Class<? extends PipelineOptions> optionsClass();

  /** Runs with the arguments after the word; returns the process exit code. */
  int run(String[] args) throws Exception;
}
