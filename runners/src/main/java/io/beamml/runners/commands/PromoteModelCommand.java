package io.beamml.runners.commands;

import io.beamml.runners.Subcommand;
import io.beamml.training.PromoteCommand;
import io.beamml.training.PromoteOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ./pipeline promote}: move an alias through the promotion gate (exit 3 when refused, 75
 * when a concurrent promote moved the alias first).
 */
public final class PromoteModelCommand implements Subcommand {

  @Override
  public String name() {
    return "promote";
  }

  @Override
  public String summary() {
    return "point an alias (champion, challenger, ...) at a version if it passes the gate; --force is recorded";
  }

  @Override
  public Class<? extends PipelineOptions> optionsClass() {
    return PromoteOptions.class;
  }

  @Override
  public int run(String[] args) {
    // A refusal exits with ExitCode.PROMOTION_REFUSED, a lost race with ExitCode.ALIAS_CONFLICT.
    PromoteCommand.run(CommandSupport.options(args, PromoteOptions.class), System.out);
    return 0;
  }
}
