package io.beamml.runners.commands;

import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** What every subcommand does the same way: parse and validate flags, print progress lines. */
final class CommandSupport {

  private CommandSupport() {}

  static <T extends PipelineOptions> T options(String[] args, Class<T> type) {
    PipelineOptionsFactory.register(type);
    T options = PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
    // Registers gs:// and friends for code that touches files outside a running pipeline.
    FileSystems.setDefaultPipelineOptions(options);
    return options;
  }

  static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
