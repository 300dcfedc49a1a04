package io.beamml.training.quality;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Comparator;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** What one quality row measures: a UTC day of send times, a model version and its variant. */
public record QualityKey(String day, String modelName, String modelVersion, String variant)
    implements Serializable {

  /** By day, then model, version and variant. */
  public static final Comparator<QualityKey> ORDER =
      Comparator.comparing(QualityKey::day)
          .thenComparing(QualityKey::modelName)
          .thenComparing(QualityKey::modelVersion)
          .thenComparing(QualityKey::variant);

  /** {@code name:version}. */
  public String model() {
    return modelName + ":" + modelVersion;
  }

  /** A deterministic coder, as a grouping key needs. */
  public static CustomCoder<QualityKey> coder() {
    return KeyCoder.INSTANCE;
  }

  private static final class KeyCoder extends CustomCoder<QualityKey> {
    private static final long serialVersionUID = 1L;
    private static final KeyCoder INSTANCE = new KeyCoder();
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();

    @Override
    public void encode(QualityKey key, OutputStream out) throws IOException {
      STRING.encode(key.day(), out);
      STRING.encode(key.modelName(), out);
      STRING.encode(key.modelVersion(), out);
      STRING.encode(key.variant(), out);
    }

    @Override
    public QualityKey decode(InputStream in) throws IOException {
      return new QualityKey(
          STRING.decode(in), STRING.decode(in), STRING.decode(in), STRING.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
