package io.beamml.pipelines.options;

import org.apache.avro.file.CodecFactory;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How Avro files are compressed: deflate by default, since every Avro reader has it built in. */
public interface AvroCodecOptions extends PipelineOptions {

  @Description(
      "Compression of written Avro files: deflate (every Avro reader has it, e.g. Python's avro package), "
          + "snappy (faster; Beam's default, but readers need the snappy library) or none (Avro's null codec)")
  @Default.Enum("deflate")
  AvroCodec getAvroCodec();

  void setAvroCodec(AvroCodec value);

  /**
   * Deflate's level is the writer's choice only (every reader inflates any level). Level 1 writes
   * predictions in about 2-2.3x snappy's time into 0.80x its bytes; zlib's default 6 takes about 4x
   * for 0.76x (AvroCodecBenchmark in benchmarks).
   */
  int DEFLATE_LEVEL = 1;

  /** Avro file codecs; none is the one Avro's header calls "null". */
  enum AvroCodec {
    deflate,
    snappy,
    none;

    public CodecFactory factory() {
      switch (this) {
        case snappy:
          return CodecFactory.snappyCodec();
        case none:
          return CodecFactory.nullCodec();
        default:
          return CodecFactory.deflateCodec(DEFLATE_LEVEL);
      }
    }
  }
}
