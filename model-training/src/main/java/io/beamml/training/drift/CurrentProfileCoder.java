package io.beamml.training.drift;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * A compact binary coder for {@link CurrentProfile}: it crosses the shuffle once per bundle and
 * window, so Java serialization's class descriptors would outweigh the counts.
 */
final class CurrentProfileCoder extends CustomCoder<CurrentProfile> {

  private static final CurrentProfileCoder INSTANCE = new CurrentProfileCoder();

  static CurrentProfileCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(CurrentProfile profile, OutputStream outStream) throws IOException {
    DataOutputStream out = new DataOutputStream(outStream);
    out.writeLong(profile.rows());
    out.writeInt(profile.features());
    for (int i = 0; i < profile.features(); i++) {
      long[] counts = profile.counts(i);
      out.writeInt(counts.length);
      for (long c : counts) {
        out.writeLong(c);
      }
      HashSample sample = profile.sample(i);
      if (sample == null) {
        out.writeInt(-1);
        continue;
      }
      out.writeInt(sample.capacity());
      out.writeInt(sample.size());
      for (int s = 0; s < sample.size(); s++) {
        out.writeLong(sample.hashAt(s));
        out.writeDouble(sample.valueAt(s));
      }
    }
    out.flush();
  }

  @Override
  public CurrentProfile decode(InputStream inStream) throws IOException {
    DataInputStream in = new DataInputStream(inStream);
    long rows = in.readLong();
    int features = in.readInt();
    long[][] counts = new long[features][];
    HashSample[] samples = new HashSample[features];
    for (int i = 0; i < features; i++) {
      counts[i] = new long[in.readInt()];
      for (int b = 0; b < counts[i].length; b++) {
        counts[i][b] = in.readLong();
      }
      int capacity = in.readInt();
      if (capacity < 0) {
        continue;
      }
      HashSample sample = new HashSample(capacity);
      int size = in.readInt();
      for (int s = 0; s < size; s++) {
        sample.add(in.readLong(), in.readDouble());
      }
      samples[i] = sample;
    }
    return CurrentProfile.of(rows, counts, samples);
  }
}
