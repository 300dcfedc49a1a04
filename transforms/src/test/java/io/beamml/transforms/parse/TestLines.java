package io.beamml.transforms.parse;

import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/** Test helper: text lines as the UTF-8 bytes a reader would hand to Parse. */
public final class TestLines {

  private TestLines() {}

  public static PTransform<PCollection<String>, PCollection<byte[]>> utf8() {
    return new PTransform<>() {
      @Override
      public PCollection<byte[]> expand(PCollection<String> lines) {
        return lines
            .apply(
                "EncodeUtf8",
                MapElements.into(TypeDescriptor.of(byte[].class))
                    .via((String line) -> line.getBytes(StandardCharsets.UTF_8)))
            .setCoder(ByteArrayCoder.of());
      }
    };
  }
}
