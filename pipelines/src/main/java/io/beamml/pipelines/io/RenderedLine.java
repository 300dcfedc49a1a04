package io.beamml.pipelines.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * A record already rendered as its JSON line, with the partition it is written under and the
 * summary key it is counted under. Rendering once, before the writer and the count read it, hands
 * each of them three strings instead of the record: on Flink's batch runner each reader of a
 * collection gets its own encoded copy, and a feature row costs several times more to decode than
 * its line.
 */
public record RenderedLine(String partition, String countKey, String line) {

  /** The coder of rendered lines: the three strings, each as {@link StringUtf8Coder} writes it. */
  public static final CustomCoder<RenderedLine> CODER = new LineCoder();

  public RenderedLine {
    Objects.requireNonNull(partition, "partition");
    Objects.requireNonNull(countKey, "countKey");
    Objects.requireNonNull(line, "line");
  }

  private static final class LineCoder extends CustomCoder<RenderedLine> {
    private static final long serialVersionUID = 1L;
    private static final StringUtf8Coder STRING = StringUtf8Coder.of();

    @Override
    public void encode(RenderedLine value, OutputStream out) throws IOException {
      STRING.encode(value.partition, out);
      STRING.encode(value.countKey, out);
      STRING.encode(value.line, out);
    }

    @Override
    public RenderedLine decode(InputStream in) throws IOException {
      return new RenderedLine(STRING.decode(in), STRING.decode(in), STRING.decode(in));
    }

    @Override
    public void verifyDeterministic() {}

    private Object readResolve() {
      return CODER;
    }
  }
}
