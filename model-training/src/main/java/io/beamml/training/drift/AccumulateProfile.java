package io.beamml.training.drift;

import io.beamml.schemas.FeatureRow;
import io.beamml.transforms.features.FeatureVectorizer;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Sorts a window's feature rows into the reference bins and samples their raw values. Rows must
 * already be checked against the reference's spec (see {@link DetectDrift}). The sample is keyed by
 * event id, so the same rows give the same sample however they are bundled.
 */
final class AccumulateProfile
    extends Combine.CombineFn<FeatureRow, CurrentProfile, CurrentProfile> {

  private final ReferenceProfile reference;
  private final FeatureVectorizer vectorizer;
  private final int sampleSize;

  AccumulateProfile(ReferenceProfile reference, int sampleSize) {
    this.reference = reference;
    this.vectorizer = new FeatureVectorizer(reference.spec());
    this.sampleSize = sampleSize;
  }

  @Override
  public CurrentProfile createAccumulator() {
    return CurrentProfile.empty(reference, sampleSize);
  }

  @Override
  public CurrentProfile addInput(CurrentProfile profile, FeatureRow row) {
    profile.add(
        HashSample.hash(row.getEventId()), vectorizer.toVector(row.getFeatures()), reference);
    return profile;
  }

  @Override
  public CurrentProfile mergeAccumulators(Iterable<CurrentProfile> profiles) {
    CurrentProfile merged = createAccumulator();
    for (CurrentProfile p : profiles) {
      merged.merge(p);
    }
    return merged;
  }

  @Override
  public CurrentProfile extractOutput(CurrentProfile profile) {
    return profile;
  }

  @Override
  public Coder<CurrentProfile> getAccumulatorCoder(
      CoderRegistry registry, Coder<FeatureRow> inputCoder) {
    return CurrentProfileCoder.of();
  }

  @Override
  public Coder<CurrentProfile> getDefaultOutputCoder(
      CoderRegistry registry, Coder<FeatureRow> inputCoder) {
    return CurrentProfileCoder.of();
  }
}
