package io.beamml.training;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.registry.RegistryFiles;
import io.beamml.training.interop.ModelExport;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.beam.sdk.io.FileSystems;

/**
 * Writes a registered version (checked against its SHA-256) for another XGBoost reader, by default
 * in the form older readers score identically; see {@link ModelExport}. Backs {@code ./pipeline
 * export-model}, which prints the result.
 */
public final class ExportModel {

  /** What was exported, and the check it passed. */
  public record Exported(
      ModelMetadata metadata,
      ModelExport.Format format,
      String output,
      ModelExport.Result result) {}

  private ExportModel() {}

  public static Exported run(ExportOptions options) {
    FileSystems.setDefaultPipelineOptions(options);
    ModelExport.Format format = ModelExport.Format.parse(options.getFormat());
    ModelRegistry registry = ModelRegistry.at(options.getRegistry());
    ModelRef ref = ModelRef.parse(options.getModel());
    ModelMetadata m = registry.metadata(ref.name(), registry.resolve(ref));
    ModelExport.Result result = ModelExport.export(registry.readVerifiedModel(m), format);
    try {
      RegistryFiles.write(options.getOutput(), result.bytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + options.getOutput(), e);
    }
    return new Exported(m, format, options.getOutput(), result);
  }
}
