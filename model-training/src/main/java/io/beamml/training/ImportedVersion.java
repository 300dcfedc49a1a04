package io.beamml.training;

import io.beamml.inference.registry.ModelMetadata;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What {@link ImportModel} registered.
 *
 * @param metadata the registered version
 * @param modelFile the file it was imported from
 * @param evaluation its evaluation on {@code --testSet}, through the served scorer; null without
 *     one
 */
public record ImportedVersion(
    ModelMetadata metadata, String modelFile, @Nullable ModelEvaluation evaluation) {}
