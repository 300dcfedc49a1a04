package io.beamml.training;

import io.beamml.inference.registry.ModelMetadata;
import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import io.beamml.inference.registry.RegistryFiles;
import io.beamml.training.interop.ModelExport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code export-model}: writes a registered version (checked against its SHA-256) for another
 * XGBoost reader, by default in the form older readers score identically; see {@link ModelExport}.
 */
public final class ExportCommand {

  private ExportCommand() {}

  public static void main(String[] args) {
    PipelineOptionsFactory.register(ExportOptions.class);
    run(PipelineOptionsFactory.fromArgs(args).withValidation().as(ExportOptions.class), System.out);
  }

  public static ModelExport.Result run(ExportOptions options, PrintStream out) {
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
    out.printf(
        Locale.ROOT, "exported %s:%s (written by XGBoost %s) as %s to %s%n", m.name, m.version,
        m.xgboostVersion == null ? "unknown" : m.xgboostVersion, format.flag(), options.getOutput());
    out.printf(
        Locale.ROOT, "  checked: XGBoost4J scores the export within %.1g of the registered model on %d probe rows (max difference %.3g)%n",
        ModelExport.TOLERANCE, result.probeRows(), result.maxDifference());
    return result;
  }
}
