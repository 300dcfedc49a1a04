package io.beamml.runners.stream;

import io.beamml.local.SyntheticModel;
import io.beamml.transforms.features.FeatureSpec;

/**
 * Small synthetic models under the default feature spec, put in a registry as the trainer would,
 * for the stream tests that load models by name and alias.
 */
final class RegisteredModels {

  static final String NAME = "promo-response";
  static final FeatureSpec SPEC = FeatureSpec.defaultSpec();

  private RegisteredModels() {}

  /** Registers a model ({@code seed} varies its trees and so its scores); returns its version. */
  static String register(String registry, long seed) {
    return SyntheticModel.register(registry, NAME, SPEC, seed, 10 + (int) (seed % 7), 3);
  }

  /** Registers a model and points the champion alias at it. */
  static String registerChampion(String registry, long seed) {
    return SyntheticModel.registerAs(
        registry, NAME, "champion", SPEC, seed, 10 + (int) (seed % 7), 3);
  }
}
