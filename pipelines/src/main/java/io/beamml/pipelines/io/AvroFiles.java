package io.beamml.pipelines.io;

import io.beamml.pipelines.options.AvroCodecOptions;
import io.beamml.schemas.FileSchemas;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How the project writes Avro files, in one place: the schema with logical types ({@link
 * FileSchemas}) in the header, so readers see times and dates, and the codec of {@code --avroCodec}
 * (deflate unless told otherwise, where Beam would pick snappy).
 */
public final class AvroFiles {

  private AvroFiles() {}

  /** The codec a pipeline's options ask for; options without the flag get deflate. */
  public static CodecFactory codec(PipelineOptions options) {
    return options.as(AvroCodecOptions.class).getAvroCodec().factory();
  }

  /** A FileIO sink of specific records. */
  public static <T extends SpecificRecord> AvroIO.Sink<T> sink(
      Class<T> recordClass, PipelineOptions options) {
    return AvroIO.<T>sink(FileSchemas.of(recordClass))
        .withDatumWriterFactory(SpecificDatumWriter::new)
        .withCodec(codec(options));
  }

  /** An AvroIO write of specific records, prefix and suffix still to give. */
  public static <T extends SpecificRecord> AvroIO.Write<T> write(
      Class<T> recordClass, PipelineOptions options) {
    return AvroIO.write(recordClass)
        .withSchema(FileSchemas.of(recordClass))
        .withDatumWriterFactory(SpecificDatumWriter::new)
        .withCodec(codec(options));
  }
}
