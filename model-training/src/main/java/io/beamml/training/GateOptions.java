package io.beamml.training;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The promotion gate's flags and the alias it moves: what {@code ./pipeline promote} and {@code
 * ./pipeline retrain} share, declared once.
 */
public interface GateOptions extends PipelineOptions {

  @Description("The alias to move")
  @Default.String("champion")
  String getAlias();

  void setAlias(String value);

  @Description(
      "Lowest test AUC the candidate may have; unset means " + PromotionGate.DEFAULT_MIN_AUC)
  Double getMinAuc();

  void setMinAuc(Double value);

  @Description("How far the candidate's test AUC may fall below the current alias holder's")
  @Default.Double(PromotionGate.DEFAULT_MAX_AUC_DROP)
  Double getMaxAucDrop();

  void setMaxAucDrop(Double value);

  @Description("Why the alias moves, kept in the alias history")
  String getReason();

  void setReason(String value);
}
