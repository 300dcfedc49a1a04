package io.beamml.inference.registry;

/** A model file whose bytes do not match the SHA-256 recorded when it was registered. */
public final class ModelIntegrityException extends RuntimeException {
  public ModelIntegrityException(String message) {
    super(message);
  }
}
