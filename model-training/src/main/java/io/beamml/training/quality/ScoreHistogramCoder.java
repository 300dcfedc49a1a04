package io.beamml.training.quality;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * The histogram as (score, negatives, positives) triples in score order: compact on the shuffle,
 * and deterministic, so equal histograms encode to equal bytes.
 */
public final class ScoreHistogramCoder extends CustomCoder<ScoreHistogram> {

  private static final long serialVersionUID = 1L;
  private static final ScoreHistogramCoder INSTANCE = new ScoreHistogramCoder();

  public static ScoreHistogramCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ScoreHistogram h, OutputStream outStream) throws IOException {
    DataOutputStream out = new DataOutputStream(outStream);
    double[] scores = h.scores();
    out.writeInt(scores.length);
    for (double s : scores) {
      out.writeDouble(s);
      out.writeLong(h.negativesAt(s));
      out.writeLong(h.positivesAt(s));
    }
    out.flush();
  }

  @Override
  public ScoreHistogram decode(InputStream inStream) throws IOException {
    DataInputStream in = new DataInputStream(inStream);
    int n = in.readInt();
    ScoreHistogram h = new ScoreHistogram();
    for (int i = 0; i < n; i++) {
      double s = in.readDouble();
      long negatives = in.readLong();
      long positives = in.readLong();
      h.add(s, negatives, positives);
    }
    return h;
  }

  @Override
  public void verifyDeterministic() {}
}
