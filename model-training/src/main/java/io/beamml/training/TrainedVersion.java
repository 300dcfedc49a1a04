package io.beamml.training;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.training.evaluation.Evaluation;
import java.util.Map;

/**
 * What {@link TrainModel} registered and how it got there, for the caller to print or act on.
 *
 * @param metadata the registered version
 * @param location the training set it was trained on
 * @param rowCounts rows per split
 * @param trainRows rows of the train split (the drift reference's histograms)
 * @param dataFingerprint the training set's fingerprint
 * @param metric the validation metric early stopping watched
 * @param bestIteration the iteration kept
 * @param roundsRun rounds run before stopping
 * @param test the test split's evaluation, through the served scorer
 */
public record TrainedVersion(
    ModelMetadata metadata,
    String location,
    Map<String, Long> rowCounts,
    long trainRows,
    String dataFingerprint,
    String metric,
    int bestIteration,
    int roundsRun,
    Evaluation test) {}
