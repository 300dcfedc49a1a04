package io.beamml.inference;

import java.io.Serializable;
import java.util.List;

/**
 * Decides which deployed model scores a customer's row. The scoring DoFn only asks this
 * interface, so where the versions come from (resolved when the pipeline is built, or later a
 * side input that follows alias moves) can change without touching the scoring path.
 */
public interface ModelSelector extends Serializable {

  /** Every model this selector may choose, in a fixed order; never empty. */
  List<DeployedModel> models();

  /** Index into {@link #models()} of the model that scores this customer. */
  int select(String customerKey);
}
