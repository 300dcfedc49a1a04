package io.beamml.serving;

import io.beamml.schemas.Contribution;
import io.beamml.schemas.FeatureValue;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A scored customer: the model that scored it, the features it saw (in spec order) and whether the
 * online store knew the customer at all. An unknown customer is scored on zero activity and no
 * profile, and says so ({@code known == false}).
 */
public record ScoreResult(
    ScoreRequest request,
    ServingModels.Active model,
    double score,
    List<FeatureValue> features,
    boolean known,
    boolean hasProfile,
    @Nullable List<Contribution> contributions) {}
