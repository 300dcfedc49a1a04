package io.beamml.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The schema an Avro file of a record type is written with: the shipped {@code avro/NAME.avsc},
 * which declares {@code timestamp-millis} and {@code date} logical types, so other readers see
 * times and dates. The generated classes are built from the same schemas without the logical types,
 * to keep their long/int getters; the two encode identically, which is checked here.
 */
public final class FileSchemas {

  /** Named types other schemas refer to, parsed first (as the avro-maven-plugin imports them). */
  private static final List<String> IMPORTS = List.of("FeatureValue", "Contribution");

  private static final Map<Class<?>, Schema> CACHE = new ConcurrentHashMap<>();

  private FileSchemas() {}

  public static Schema of(Class<? extends SpecificRecord> recordClass) {
    return CACHE.computeIfAbsent(recordClass, FileSchemas::load);
  }

  private static Schema load(Class<?> recordClass) {
    Schema.Parser parser = new Schema.Parser();
    for (String name : IMPORTS) {
      if (!name.equals(recordClass.getSimpleName())) {
        parse(parser, name);
      }
    }
    Schema schema = parse(parser, recordClass.getSimpleName());
    Schema generated = SpecificData.get().getSchema(recordClass);
    if (SchemaNormalization.parsingFingerprint64(schema)
        != SchemaNormalization.parsingFingerprint64(generated)) {
      throw new IllegalStateException(
          "avro/"
              + recordClass.getSimpleName()
              + ".avsc does not encode like the generated "
              + recordClass.getName()
              + ": rebuild the schemas module");
    }
    return schema;
  }

  private static Schema parse(Schema.Parser parser, String name) {
    String resource = "/avro/" + name + ".avsc";
    try (InputStream in = FileSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no schema " + resource + " in the schemas jar");
      }
      return parser.parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
