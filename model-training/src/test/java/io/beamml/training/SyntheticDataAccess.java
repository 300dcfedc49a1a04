package io.beamml.training;

import io.beamml.schemas.TrainingExample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Opens the package-private generator to tests in sub-packages. */
public final class SyntheticDataAccess {

  private SyntheticDataAccess() {}

  public static List<TrainingExample> generate(int rows, double signal, long seed) {
    return SyntheticData.generate(rows, signal, seed).examples;
  }

  public static Path write(Path dir, List<TrainingExample> examples, int files, long shuffleSeed)
      throws IOException {
    return SyntheticData.writeExamples(dir, examples, files, shuffleSeed);
  }
}
