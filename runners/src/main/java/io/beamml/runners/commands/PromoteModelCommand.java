package io.beamml.runners.commands;

import io.beamml.inference.registry.AliasConflictException;
import io.beamml.runners.Subcommand;
import io.beamml.training.PromoteCommand;
import io.beamml.training.PromoteOptions;
import io.beamml.training.PromotionRefusedException;
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
    try {
      PromoteCommand.run(CommandSupport.options(args, PromoteOptions.class), System.out);
      return 0;
    } catch (PromotionRefusedException e) {
      System.err.println("promote refused: " + e.getMessage());
      return PromotionRefusedException.EXIT_CODE;
    } catch (AliasConflictException e) {
      System.err.println("promote lost a race: " + e.getMessage());
      return PromoteCommand.ALIAS_CONFLICT_EXIT_CODE;
    }
  }
}
