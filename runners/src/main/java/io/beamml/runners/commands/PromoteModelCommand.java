package io.beamml.runners.commands;

import io.beamml.runners.ExitCode;
import io.beamml.runners.Subcommand;
import io.beamml.training.PromoteModel;
import io.beamml.training.PromoteOptions;
import io.beamml.training.Promotion;
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
    // A lost race throws AliasConflictException, which the launcher maps to
    // ExitCode.ALIAS_CONFLICT.
    Promotion promotion = PromoteModel.run(CommandSupport.options(args, PromoteOptions.class));
    ModelCommandOutput.promotion(System.out, System.err, promotion);
    return (promotion.refused() ? ExitCode.PROMOTION_REFUSED : ExitCode.OK).code();
  }
}
