package io.beamml.serving;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One customer to score: the pseudonymised key (the raw id never gets this far), the as-of time,
 * the promotion asked about (for the audit record) and how many SHAP contributions to return.
 */
public record ScoreRequest(
    String customerKey, long asOfMillis, @Nullable String promoId, int explain) {}
